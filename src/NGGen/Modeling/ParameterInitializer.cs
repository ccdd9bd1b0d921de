using System.Numerics;

namespace NGGen;

/// <summary>Deterministic parameter initialisation (SplitMix64; identical on every platform and run).</summary>
public static class ParameterInitializer
{
    /// <summary>Fills θ following each parameter's <see cref="ParamInit"/>.</summary>
    public static void Initialize<T>(IReadOnlyList<ParameterInfo> parameters, Span<T> theta, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ulong state = seed;
        foreach (var p in parameters)
        {
            var target = theta.Slice(p.Offset, p.Length);
            var init = p.Init;
            if (init == ParamInit.Default)
                init = p.Shape.Length switch { 0 => ParamInit.Constant, 1 => ParamInit.Zeros, _ => ParamInit.Glorot };
            for (int i = 0; i < target.Length; i++)
            {
                double value = init switch
                {
                    ParamInit.Zeros => 0.0,
                    ParamInit.Constant => p.Value,
                    ParamInit.Glorot => GlorotLimit(p) * (2 * NextUniform(ref state) - 1),
                    ParamInit.Normal => p.Value * NextNormal(ref state),
                    _ => throw new ArgumentOutOfRangeException(nameof(parameters), init, $"Unknown initialiser for parameter '{p.Name}'."),
                };
                target[i] = T.CreateTruncating(value);
            }
        }
    }

    private static double GlorotLimit(ParameterInfo p)
    {
        int fanOut = p.Shape.Length > 0 ? p.Shape[0] : 1;
        int fanIn = p.Shape.Length > 1 ? p.Shape[1] : 1;
        return Math.Sqrt(6.0 / (fanIn + fanOut));
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double NextUniform(ref ulong state) => (Next(ref state) >> 11) * (1.0 / (1UL << 53));

    private static double NextNormal(ref ulong state)
    {
        double u1 = 1.0 - NextUniform(ref state);
        double u2 = NextUniform(ref state);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
