using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NGGen.Kernels;

/// <summary>
/// The threads NGGen's kernels split large products and elementwise loops across: the calling thread plus
/// <see cref="ThreadCount"/> − 1 background workers, started on first use and kept for the life of the process.
/// </summary>
/// <remarks>
/// A fork-join costs no allocation: the work is an unmanaged function pointer and a pointer to the caller's
/// stack-resident arguments, and the caller waits for every part before it returns. Workers spin for
/// <see cref="SpinMicroseconds"/> after each part, so the next product of a generated function (usually a few
/// microseconds later) finds them awake; after that they block. Only one caller uses the workers at a time: a
/// second concurrent caller, or a call from inside a part, runs serially.
/// Split results are bitwise equal to serial ones: each output element is computed by one thread in the same order.
/// </remarks>
public static unsafe class KernelThreads
{
    // Long enough to bridge the elementwise passes between two products of one generated function.
    private const int SpinMicroseconds = 200;

    private static readonly object s_startLock = new();
    private static Worker[] s_workers = [];
    private static int s_threadCount = DefaultThreadCount();
    private static int s_busy;

    // The first exception a worker's part threw in the current job (one job runs at a time).
    private static ExceptionDispatchInfo? s_workerFailure;

    /// <summary>
    /// Threads a product or a fused elementwise loop may use, the caller included. Defaults to the processor count, or to the
    /// <c>NGGEN_THREADS</c> environment variable when set; 1 keeps every kernel on the calling thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int ThreadCount
    {
        get => s_threadCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_threadCount = value;
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> near-equal shares of <paramref name="count"/> items.</summary>
    internal static (int Start, int End) Share(int count, int part, int parts)
        => ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>
    /// Runs <paramref name="body"/>(part, parts, state) for every part in 0..parts−1 at the same time, part 0 on the
    /// calling thread and each other part on its own worker, and returns true when all are done. Returns false
    /// without running anything when <paramref name="parts"/> is below 2 or the workers are busy (another caller
    /// holds them, or this is a call from inside a part); the caller then does the work itself, and the workers the
    /// call would have used are started all the same, so that no later call has to start them. Because every part
    /// has its own thread, parts may wait for each other. The first exception a part throws is rethrown here after
    /// every part has finished (a part that throws must not leave others waiting for it).
    /// </summary>
    internal static bool TryRun(delegate*<int, int, void*, void> body, void* state, int parts)
    {
        if (parts <= 1)
            return false;

        // Started even when the workers are busy and the caller will run serially: a warm-up call that found them
        // busy must leave the pool as large as its product needs, or a later call would allocate the threads then.
        Worker[] workers = EnsureWorkers(parts - 1);
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
            return false;

        try
        {
            s_workerFailure = null;
            var job = new Job { Body = body, State = state, Parts = parts, Pending = parts - 1 };
            for (int w = 0; w < parts - 1; w++)
                workers[w].Start(&job, w + 1);

            ExceptionDispatchInfo? failure = null;
            try
            {
                body(0, parts, state);
            }
            catch (Exception exception)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }

            // The job lives on this stack frame: never return while a worker may still read it.
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) != 0)
                spin.SpinOnce(sleep1Threshold: -1);

            failure ??= s_workerFailure;
            failure?.Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Background workers started so far (the pool only grows).</summary>
    internal static int StartedWorkers => Volatile.Read(ref s_workers).Length;

    private static int DefaultThreadCount()
    {
        string? text = Environment.GetEnvironmentVariable("NGGEN_THREADS");
        return int.TryParse(text, out int count) && count >= 1 ? count : Environment.ProcessorCount;
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] workers = s_workers;
        if (workers.Length >= count)
            return workers;
        lock (s_startLock)
        {
            workers = s_workers;
            if (workers.Length < count)
            {
                var grown = new Worker[count];
                workers.CopyTo(grown, 0);
                for (int w = workers.Length; w < count; w++)
                    grown[w] = new Worker(w + 1);
                s_workers = workers = grown;
            }
        }
        return workers;
    }

    private struct Job
    {
        public delegate*<int, int, void*, void> Body;
        public void* State;
        public int Parts;
        public int Pending;
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private Job* _job;
        private int _part;
        private long _generation;
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"NGGen kernel worker {index}" };
            thread.Start();
        }

        public void Start(Job* job, int part)
        {
            _job = job;
            _part = part;
            Interlocked.Increment(ref _generation);
            // A worker that announced sleep may have missed the new generation: wake it. A spurious extra
            // release only makes a later sleep return at once, and the loop re-checks the generation.
            if (Volatile.Read(ref _sleeping) != 0)
                _wake.Release();
        }

        private void Loop()
        {
            long seen = 0;
            long spinTicks = SpinMicroseconds * Stopwatch.Frequency / 1_000_000;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _generation) == seen)
                {
                    if (Stopwatch.GetTimestamp() - start < spinTicks)
                    {
                        Thread.SpinWait(16);
                        continue;
                    }
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref _generation) == seen)
                        _wake.Wait();
                    Interlocked.Exchange(ref _sleeping, 0);
                    start = Stopwatch.GetTimestamp();
                }

                seen = Volatile.Read(ref _generation);
                Job* job = _job;
                try
                {
                    job->Body(_part, job->Parts, job->State);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref s_workerFailure, ExceptionDispatchInfo.Capture(exception), null);
                }
                Interlocked.Decrement(ref job->Pending);
            }
        }
    }
}
