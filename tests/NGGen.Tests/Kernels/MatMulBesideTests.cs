using System.Numerics;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// Batched.MatMulBeside: a weight gradient and the next input cotangent (with and without the cotangent's fused
/// loop) run side by side on two threads, and one after the other otherwise, with the same bits either way.
/// </summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed unsafe class MatMulBesideTests
{
    // 128 × 128 over 160 samples: each product 2.6 M multiply-adds, over the 2^21 from which a pair runs side by side.
    private const int Width = 128, Batch = 160;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pair_GivesTheBitsOfTheTwoProductsOneAfterTheOther(int threads)
    {
        Check<float>(threads, withLoop: false);
        Check<float>(threads, withLoop: true);
        Check<double>(threads, withLoop: true);
    }

    [Fact]
    public void Pair_RunsSideBySideOnExactlyTwoThreads()
    {
        int before = Batched.PairsRunBeside;
        Check<float>(2, withLoop: false);
        Check<float>(2, withLoop: true);
        Assert.Equal(before + 2, Batched.PairsRunBeside);
        Check<float>(3, withLoop: true);
        Check<float>(1, withLoop: true);
        Assert.Equal(before + 2, Batched.PairsRunBeside);
    }

    [Fact]
    public void SmallPair_RunsOneAfterTheOther()
    {
        // 64 × 64 over 160 samples: 0.66 M multiply-adds each, under the bound.
        var data = new Data<float>(64, Batch);
        int before = Batched.PairsRunBeside;
        KernelThreadsTests.WithThreads(2, () => data.RunBeside(withLoop: true));
        Assert.Equal(before, Batched.PairsRunBeside);
        var expected = new Data<float>(64, Batch);
        KernelThreadsTests.WithThreads(1, () => expected.RunOneAfterTheOther(withLoop: true));
        data.AssertSameBits(expected);
    }

    [Fact]
    public void LargePair_RunsOneAfterTheOther()
    {
        // 512 × 512 over 320 samples: 84 M multiply-adds each, over the 2^26 up to which a pair runs side by side.
        var data = new Data<float>(512, 320);
        int before = Batched.PairsRunBeside;
        KernelThreadsTests.WithThreads(2, () => data.RunBeside(withLoop: true));
        Assert.Equal(before, Batched.PairsRunBeside);
        var expected = new Data<float>(512, 320);
        KernelThreadsTests.WithThreads(1, () => expected.RunOneAfterTheOther(withLoop: true));
        data.AssertSameBits(expected);
    }

    [Fact]
    public void Pair_CalledFromInsideAPart_RunsOneAfterTheOther()
    {
        // Inside a part the workers are taken (a sharded batch's shard calls the generated VJP there).
        var data = new Data<float>(Width, Batch);
        int before = Batched.PairsRunBeside;
        KernelThreadsTests.WithThreads(2, () =>
        {
            var state = new PartState { Data = data };
            var handle = System.Runtime.InteropServices.GCHandle.Alloc(state);
            try
            {
                Assert.True(KernelThreads.TryRun(&RunInPart, (void*)System.Runtime.InteropServices.GCHandle.ToIntPtr(handle), 2));
            }
            finally
            {
                handle.Free();
            }
        });
        Assert.Equal(before, Batched.PairsRunBeside);
        var expected = new Data<float>(Width, Batch);
        KernelThreadsTests.WithThreads(1, () => expected.RunOneAfterTheOther(withLoop: true));
        data.AssertSameBits(expected);
    }

    [Fact]
    public void Pair_AfterWarmUp_DoesNotAllocateOnTheCallingThread()
    {
        var data = new Data<float>(Width, Batch);
        KernelThreadsTests.WithThreads(2, () =>
        {
            for (int i = 0; i < 3; i++)
                data.RunBeside(withLoop: true);
            long before = GC.GetAllocatedBytesForCurrentThread();
            data.RunBeside(withLoop: true);
            data.RunBeside(withLoop: false);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        });
    }

    private sealed class PartState
    {
        public required Data<float> Data;
    }

    private static void RunInPart(int part, int parts, void* state)
    {
        if (part == 0)
            ((PartState)System.Runtime.InteropServices.GCHandle.FromIntPtr((nint)state).Target!).Data.RunBeside(withLoop: true);
    }

    private static void Check<T>(int threads, bool withLoop)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = new Data<T>(Width, Batch);
        KernelThreadsTests.WithThreads(1, () => expected.RunOneAfterTheOther(withLoop));
        var actual = new Data<T>(Width, Batch);
        KernelThreadsTests.WithThreads(threads, () => actual.RunBeside(withLoop));
        actual.AssertSameBits(expected);
    }

    // The operands and results of one pair: G (+)= Σ_s D_s·H_sᵀ, then C = Wᵀ·D and, with the loop, E = C ⊙ S.
    private sealed class Data<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int _width, _batch;
        private readonly T[] _d, _h, _w, _s, _g, _c, _e;

        public Data(int width, int batch)
        {
            (_width, _batch) = (width, batch);
            var random = new Random(width + batch);
            T[] Values(int length) => [.. Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.NextDouble() - 0.5))];
            _d = Values(width * batch);
            _h = Values(width * batch);
            _w = Values(width * width);
            _s = Values(width * batch);
            _g = Values(width * width);   // the first product accumulates into it
            _c = new T[width * batch];
            _e = new T[width * batch];
        }

        private MatMulCall<T> WeightGradient()
            => new(_d, true, 1, false, _h, true, 1, true, _g, false, _width, _width, 1, _batch, true);

        private MatMulCall<T> InputCotangent()
            => new(_w, false, _width, true, _d, true, 1, false, _c, true, _width, 1, _width, _batch, false);

        private Scale Loop() => new() { C = _c, S = _s, E = _e, Batch = _batch };

        public void RunBeside(bool withLoop)
        {
            if (withLoop)
                Batched.MatMulBeside(WeightGradient(), InputCotangent(), Loop(), _width, (long)_width * _batch);
            else
                Batched.MatMulBeside(WeightGradient(), InputCotangent());
        }

        public void RunOneAfterTheOther(bool withLoop)
        {
            Batched.MatMul<T>(_d, true, 1, false, _h, true, 1, true, _g, false, _width, _width, 1, _batch, true);
            if (withLoop)
                Batched.MatMul(_w, false, _width, true, _d, true, 1, false, _c, true, _width, 1, _width, _batch, false, Loop(), _width, (long)_width * _batch);
            else
                Batched.MatMul<T>(_w, false, _width, true, _d, true, 1, false, _c, true, _width, 1, _width, _batch, false);
        }

        public void AssertSameBits(Data<T> expected)
        {
            Assert.True(_g.AsSpan().SequenceEqual(expected._g), "the weight gradient differs");
            Assert.True(_c.AsSpan().SequenceEqual(expected._c), "the input cotangent differs");
            Assert.True(_e.AsSpan().SequenceEqual(expected._e), "the fused loop's result differs");
            Assert.Contains(_c, v => v != T.Zero);
        }

        // E = C ⊙ S on rows of the batch, as a product's epilogue (blocks) or a separate pass (rows).
        private ref struct Scale : IGemmEpilogue, IFusedLoopBody
        {
            public Span<T> C, S, E;
            public int Batch;

            public void Run(int start, int end) => Run(start, end, 0, Batch);

            public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd)
            {
                for (int row = rowStart; row < rowEnd; row++)
                    for (int column = columnStart; column < columnEnd; column++)
                        E[(row * Batch) + column] = C[(row * Batch) + column] * S[(row * Batch) + column];
            }
        }
    }
}
