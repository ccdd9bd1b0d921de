using System.Globalization;

namespace NGGen.IO;

/// <summary>
/// What a solver needs besides θ to continue exactly where it stopped (GN-CG's damping and warm-start step, Adam's
/// moments): named scalars and vectors, written into a checkpoint's metadata and tensors. Steppers build it with
/// <c>CaptureState</c> and take it back with <c>RestoreState</c>.
/// </summary>
public sealed class SolverState(string solver)
{
    /// <summary>The solver that wrote the state (a resume with another solver is refused).</summary>
    public string Solver { get; } = solver;

    /// <summary>Scalar state, stored exactly (round-trip formatting).</summary>
    public Dictionary<string, double> Scalars { get; } = new(StringComparer.Ordinal);

    /// <summary>Vector state.</summary>
    public Dictionary<string, double[]> Vectors { get; } = new(StringComparer.Ordinal);

    /// <summary>The scalar called <paramref name="name"/>; a missing one is an error naming the solver and the entry.</summary>
    public double Scalar(string name) => Scalars.TryGetValue(name, out double value) ? value
        : throw new InvalidDataException($"the {Solver} state has no scalar '{name}'.");

    /// <summary>The vector called <paramref name="name"/>, which must have <paramref name="length"/> entries.</summary>
    public double[] Vector(string name, int length)
    {
        if (!Vectors.TryGetValue(name, out var vector))
            throw new InvalidDataException($"the {Solver} state has no vector '{name}'.");
        if (vector.Length != length)
            throw new InvalidDataException($"the {Solver} state's vector '{name}' has {vector.Length} entries, {length} expected.");
        return vector;
    }

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
