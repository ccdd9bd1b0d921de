using System.Threading;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// A split product falls back to the calling thread when another caller holds the workers. Whichever way a
/// warmed-up product runs next, it must not allocate: CI once saw a split warm-up followed by a serial fallback
/// grow the calling thread's scratch.
/// </summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed unsafe class BusyWorkersAllocationTests
{
    // A row split (257 rows, both operands transposed: the shape CI caught), column splits of wide products, and a
    // row split of op(A) = Aᵀ read in place in shallow depth blocks.
    public static TheoryData<int, int, int, bool, bool> Shapes() => new()
    {
        { 257, 129, 300, true, true },
        { 20, 3001, 70, false, false },
        { 100, 1000, 40, true, false },
        { 1028, 32, 300, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SplitThenSerial_DoesNotAllocate(int m, int n, int k, bool transA, bool transB)
        => AssertNoAllocation(m, n, k, transA, transB, warmUpWithWorkersBusy: false);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SerialThenSplit_DoesNotAllocate(int m, int n, int k, bool transA, bool transB)
        => AssertNoAllocation(m, n, k, transA, transB, warmUpWithWorkersBusy: true);

    // CI once ran SerialThenSplit before any test had used three threads: the measured split then started the second
    // worker (7,504 bytes). A refused TryRun now starts the workers it would have used.
    [Fact]
    public void TryRun_RefusedWhileBusy_StillStartsTheWorkersItWouldUse()
    {
        int wanted = KernelThreads.StartedWorkers + 3;
        int[] ran = GC.AllocateArray<int>(1, pinned: true);
        bool accepted = true;
        using (WorkersHolder.Take())
        {
            var caller = new Thread(() =>
            {
                fixed (int* count = ran)
                    accepted = KernelThreads.TryRun(&CountPart, count, wanted);
            });
            caller.Start();
            caller.Join();
        }

        Assert.False(accepted);
        Assert.Equal(0, ran[0]);
        Assert.True(KernelThreads.StartedWorkers >= wanted - 1, $"{KernelThreads.StartedWorkers} workers started, {wanted - 1} wanted");
    }

    private static void CountPart(int part, int parts, void* state) => Interlocked.Increment(ref *(int*)state);

    // Runs on a new thread, whose scratch starts empty (the test runner's thread may have grown its own on larger
    // products), so that an undersized reservation shows as an allocation. An undersized reservation allocates on
    // every new thread; a second new thread is tried only if the first allocated, because one local run saw a single
    // unexplained allocation on a first split that did not recur (the worker pool's growth, the other cause seen, is
    // tested on its own above).
    private static void AssertNoAllocation(int m, int n, int k, bool transA, bool transB, bool warmUpWithWorkersBusy)
    {
        int previous = KernelThreads.ThreadCount;
        KernelThreads.ThreadCount = 3;
        var allocated = new long[] { -1, -1 };
        try
        {
            for (int attempt = 0; attempt < 2 && allocated[Math.Max(attempt - 1, 0)] != 0; attempt++)
            {
                int slot = attempt;
                var thread = new Thread(() => allocated[slot] = MeasureSecondCall(m, n, k, transA, transB, warmUpWithWorkersBusy));
                thread.Start();
                thread.Join();
            }
        }
        finally
        {
            KernelThreads.ThreadCount = previous;
        }

        Assert.True(allocated[0] == 0 || allocated[1] == 0, $"allocated {allocated[0]} and {allocated[1]} bytes on two new threads");
    }

    private static long MeasureSecondCall(int m, int n, int k, bool transA, bool transB, bool warmUpWithWorkersBusy)
    {
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;

        using (warmUpWithWorkersBusy ? WorkersHolder.Take() : null)
            Gemm.Multiply<float>(transA, transB, m, n, k, a, lda, b, ldb, c, n, accumulate: false);

        // The holder is set up before, and let go after, the measured call: only the product is counted.
        WorkersHolder? holder = warmUpWithWorkersBusy ? null : WorkersHolder.Take();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply<float>(transA, transB, m, n, k, a, lda, b, ldb, c, n, accumulate: false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        holder?.Dispose();
        return allocated;
    }

    // Another thread holding the workers inside a two-part KernelThreads.TryRun until disposed: every other caller's
    // TryRun is refused meanwhile, so its products run serially.
    private sealed class WorkersHolder : IDisposable
    {
        private readonly int[] _flags = GC.AllocateArray<int>(2, pinned: true); // [0] holding, [1] released
        private readonly Thread _thread;

        private WorkersHolder()
        {
            _thread = new Thread(Hold);
            _thread.Start();
            while (Volatile.Read(ref _flags[0]) == 0)
                Thread.Yield();
        }

        public static WorkersHolder Take() => new();

        public void Dispose()
        {
            Volatile.Write(ref _flags[1], 1);
            _thread.Join();
        }

        private void Hold()
        {
            fixed (int* flags = _flags)
                Assert.True(KernelThreads.TryRun(&HoldPart, flags, 2));
        }

        // Part 0 (the holder's thread) reports the workers taken; both parts wait for the release.
        private static void HoldPart(int part, int parts, void* state)
        {
            int* flags = (int*)state;
            if (part == 0)
                Volatile.Write(ref flags[0], 1);
            while (Volatile.Read(ref flags[1]) == 0)
                Thread.SpinWait(64);
        }
    }
}
