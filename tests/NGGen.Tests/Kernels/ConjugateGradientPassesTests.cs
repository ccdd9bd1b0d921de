using System;
using NGGen.Kernels;
using NGGen.Solvers;

namespace NGGen.Tests.Kernels;

/// <summary>
/// <see cref="ConjugateGradientPasses"/> against the separate operations it fuses: the updated vectors agree bit for
/// bit with scalar loops (the same multiply, then add), the dot products agree with compensated sums to rounding, and
/// nothing depends on the number of kernel threads. Lengths cover the vector body, the scalar tail, several blocks and
/// the split across threads (from 2^15).
/// </summary>
[Collection(nameof(KernelThreadsCollection))]
public sealed class ConjugateGradientPassesTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 7, 8, 4099, 100_003 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AddScaledThenDot_UpdatesLikeAxpyAndReturnsTheDot(int length)
    {
        var random = new Random(length);
        double[] x = Random(random, length), y = Random(random, length);
        double alpha = -0.37;
        var expected = new double[length];
        for (int i = 0; i < length; i++)
            expected[i] = y[i] + (x[i] * alpha);

        double dot = ConjugateGradientPasses.AddScaledThenDot(alpha, x, y);

        Assert.Equal(expected, y);
        AssertSum(dot, length, i => x[i] * expected[i]);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void UpdateStepAndResidual_UpdatesLikeTwoAxpysAndReturnsTheThreeDots(int length)
    {
        var random = new Random(length + 1);
        double[] direction = Random(random, length), product = Random(random, length), step = Random(random, length);
        double[] residual = Random(random, length), gradient = Random(random, length);
        double alpha = 1.9;
        double[] newStep = new double[length], newResidual = new double[length];
        for (int i = 0; i < length; i++)
        {
            newStep[i] = step[i] + (direction[i] * alpha);
            newResidual[i] = residual[i] + (product[i] * alpha);
        }

        var (rr, rs, gs) = ConjugateGradientPasses.UpdateStepAndResidual(alpha, direction, product, step, residual, gradient);

        Assert.Equal(newStep, step);
        Assert.Equal(newResidual, residual);
        AssertSum(rr, length, i => newResidual[i] * newResidual[i]);
        AssertSum(rs, length, i => newResidual[i] * newStep[i]);
        AssertSum(gs, length, i => gradient[i] * newStep[i]);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ScaleThenSubtract_MatchesScaleThenAxpyBitForBit(int length)
    {
        var random = new Random(length + 2);
        double[] x = Random(random, length), y = Random(random, length);
        var expected = new double[length];
        for (int i = 0; i < length; i++)
            expected[i] = (x[i] * 0.81) + (y[i] * -1);

        ConjugateGradientPasses.ScaleThenSubtract(0.81, x, y);

        Assert.Equal(expected, x);
    }

    [Fact]
    public void Passes_GiveTheSameBitsOnOneTwoAndThreeThreads()
    {
        int previous = KernelThreads.ThreadCount;
        try
        {
            var results = new (double Dot, double Rr, double Rs, double Gs, double[] Step)[3];
            for (int threads = 1; threads <= 3; threads++)
            {
                KernelThreads.ThreadCount = threads;
                var random = new Random(5);
                double[] x = Random(random, 100_003), y = Random(random, 100_003), z = Random(random, 100_003);
                double[] w = Random(random, 100_003), v = Random(random, 100_003);
                double dot = ConjugateGradientPasses.AddScaledThenDot(0.3, x, y);
                var (rr, rs, gs) = ConjugateGradientPasses.UpdateStepAndResidual(0.7, x, y, z, w, v);
                results[threads - 1] = (dot, rr, rs, gs, z);
            }

            for (int t = 1; t < 3; t++)
            {
                Assert.Equal(results[0].Dot, results[t].Dot);
                Assert.Equal(results[0].Rr, results[t].Rr);
                Assert.Equal(results[0].Rs, results[t].Rs);
                Assert.Equal(results[0].Gs, results[t].Gs);
                Assert.Equal(results[0].Step, results[t].Step);
            }
        }
        finally
        {
            KernelThreads.ThreadCount = previous;
        }
    }

    [Fact]
    public void Passes_LengthMismatch_ThrowsNamingTheLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => ConjugateGradientPasses.AddScaledThenDot(1, new double[4], new double[3]));
        Assert.Contains("3 and 4", error.Message);
        error = Assert.Throws<ArgumentException>(() =>
            ConjugateGradientPasses.UpdateStepAndResidual(1, new double[5], new double[5], new double[5], new double[5], new double[6]));
        Assert.Contains("5 and 6", error.Message);
        Assert.Equal("gradient", error.ParamName);
    }

    // CG on a 6×6 symmetric positive definite system converges in 6 iterations in exact arithmetic: with the host's
    // fused passes and with a space that has only the five plain operations (the interface's own compositions, which
    // the CUDA vectors use), the step solves (A + λI)δ = −g to rounding, and both take the same path.
    [Fact]
    public void DampedConjugateGradient_FusedAndPlainSpaces_SolveTheDampedSystem()
    {
        const int n = 6;
        var random = new Random(11);
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                m[i, j] = random.NextDouble() - 0.5;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++)
                    a[i, j] += m[k, i] * m[k, j];
        double[] gradient = Random(random, n);
        const double damping = 0.1;
        var op = new DenseOperator(a);

        double[] Solve(IVectorSpace<double[]> space)
        {
            var step = new double[n];
            var cg = new DampedConjugateGradient<double[]>(space, new double[n], new double[n], new double[n], n, 0);
            Assert.Equal(n, cg.Solve(op, damping, gradient, step, false, 0));
            return step;
        }

        double[] fused = Solve(HostVectors.Instance), plain = Solve(new PlainSpace());
        var residual = new double[n];
        op.Apply(fused, residual);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(residual[i] + (damping * fused[i]) + gradient[i]) < 1e-10, $"row {i}: (A + λI)δ + g = {residual[i] + (damping * fused[i]) + gradient[i]}");
            Assert.True(Math.Abs(fused[i] - plain[i]) < 1e-10 * (1 + Math.Abs(plain[i])), $"δ[{i}]: fused {fused[i]}, plain {plain[i]}");
        }
    }

    // Σ f(i) with a compensated (Kahan-Babuška) sum; the fused dot may differ by the rounding of its own order.
    private static void AssertSum(double actual, int length, Func<int, double> term)
    {
        double sum = 0, compensation = 0, magnitude = 0;
        for (int i = 0; i < length; i++)
        {
            double t = term(i), next = sum + t;
            compensation += Math.Abs(sum) >= Math.Abs(t) ? (sum - next) + t : (t - next) + sum;
            sum = next;
            magnitude += Math.Abs(t);
        }

        double expected = sum + compensation;
        Assert.True(Math.Abs(actual - expected) <= 1e-15 * (length + 1) * magnitude, $"sum {actual:R}, expected {expected:R} (Σ|terms| {magnitude:R}).");
    }

    private static double[] Random(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
            values[i] = (2 * random.NextDouble()) - 1;
        return values;
    }

    private sealed class DenseOperator(double[,] a) : ILinearOperator<double[]>
    {
        public void Apply(double[] v, double[] result)
        {
            for (int i = 0; i < v.Length; i++)
            {
                double sum = 0;
                for (int j = 0; j < v.Length; j++)
                    sum += a[i, j] * v[j];
                result[i] = sum;
            }
        }
    }

    // Only the five plain operations; the fused ones fall back to the interface's compositions.
    private sealed class PlainSpace : IVectorSpace<double[]>
    {
        public double Dot(double[] x, double[] y) => HostVectors.Instance.Dot(x, y);

        public void Axpy(double alpha, double[] x, double[] y) => HostVectors.Instance.Axpy(alpha, x, y);

        public void Scale(double alpha, double[] x) => HostVectors.Instance.Scale(alpha, x);

        public void Copy(double[] source, double[] destination) => HostVectors.Instance.Copy(source, destination);

        public void Clear(double[] x) => HostVectors.Instance.Clear(x);
    }
}
