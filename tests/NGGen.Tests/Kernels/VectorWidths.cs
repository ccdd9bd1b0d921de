using System;
using System.Runtime.Intrinsics;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>Checks that an operator's Vector512 and Vector256 forms give its scalar form's bits in every lane (the
/// scalar form runs the Vector128 code), on random values of both signs over many decades.</summary>
internal static class VectorWidths
{
    /// <param name="shift">Subtracted from a uniform [0, 1) draw before scaling: 0.5 for both signs evenly.</param>
    public static void AssertAgreeWithScalar<TOperator>(int seed, double shift)
        where TOperator : IUnaryVectorOperator<float>, IUnaryVectorOperator<double>
    {
        var random = new Random(seed);
        var lanes = new double[8];
        var floats = new float[16];
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < lanes.Length; i++)
                lanes[i] = (random.NextDouble() - shift) * Math.Pow(10, random.Next(-12, 3));
            for (int i = 0; i < floats.Length; i++)
                floats[i] = (float)((random.NextDouble() - shift) * Math.Pow(10, random.Next(-8, 3)));
            var d512 = TOperator.Invoke(Vector512.Create(lanes));
            var d256 = TOperator.Invoke(Vector256.Create(lanes.AsSpan(0, 4)));
            var f512 = TOperator.Invoke(Vector512.Create(floats));
            var f256 = TOperator.Invoke(Vector256.Create(floats.AsSpan(0, 8)));
            for (int i = 0; i < lanes.Length; i++)
            {
                Assert.Equal(TOperator.Invoke(lanes[i]), d512[i]);
                if (i < 4)
                    Assert.Equal(TOperator.Invoke(lanes[i]), d256[i]);
            }

            for (int i = 0; i < floats.Length; i++)
            {
                Assert.Equal(TOperator.Invoke(floats[i]), f512[i]);
                if (i < 8)
                    Assert.Equal(TOperator.Invoke(floats[i]), f256[i]);
            }
        }
    }
}
