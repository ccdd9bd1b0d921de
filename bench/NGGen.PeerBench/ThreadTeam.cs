namespace NGGen.PeerBench;

/// <summary>
/// Dedicated threads that run one body each, all released together, for the peak measurements. Parallel.For's pool
/// threads joined its FMA loop late on the GPU machine's 16 cores (16 threads measured 4.2× one core), so the peak
/// undercounted the machine. Between runs the members block without spinning: the paired measurement alternates
/// this team with the kernel threads, and a spinning member would take a core from the GEMM being timed.
/// </summary>
internal sealed class ThreadTeam
{
    private readonly object _gate = new();
    private Action<int>? _body;
    private int _generation;
    private int _pending;

    /// <summary>Starts <paramref name="threads"/> − 1 background threads, kept for the process; the caller is the
    /// last member (a team of one runs the body on the caller alone).</summary>
    public ThreadTeam(int threads)
    {
        Threads = threads;
        for (int member = 1; member < threads; member++)
        {
            int index = member;
            new Thread(() => Serve(index)) { IsBackground = true, Name = $"peak {index}" }.Start();
        }
    }

    /// <summary>Gets the members, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Runs <paramref name="body"/>(member) on every member at once and returns when all are done.</summary>
    public void Run(Action<int> body)
    {
        lock (_gate)
        {
            _body = body;
            _pending = Threads - 1;
            _generation++;
            Monitor.PulseAll(_gate);
        }

        body(0);
        // The caller waits on its own core, which the next measurement needs anyway.
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0)
            spin.SpinOnce(sleep1Threshold: -1);
    }

    private void Serve(int member)
    {
        int seen = 0;
        while (true)
        {
            Action<int> body;
            lock (_gate)
            {
                while (_generation == seen)
                    Monitor.Wait(_gate);
                seen = _generation;
                body = _body!;
            }

            body(member);
            Interlocked.Decrement(ref _pending);
        }
    }
}
