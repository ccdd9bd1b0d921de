namespace NGGen.Generators.Ir;

/// <summary>A static per-sample shape: rank 0 (scalar), 1 (vector of Rows) or 2 (Rows×Cols, row-major).</summary>
internal readonly record struct Shape(int Rank, int Rows, int Cols)
{
    public static readonly Shape Scalar = new(0, 1, 1);

    public static Shape Vector(int length) => new(1, length, 1);

    public static Shape Matrix(int rows, int cols) => new(2, rows, cols);

    public int Size => Rows * Cols;

    public override string ToString() => Rank switch
    {
        0 => "scalar",
        1 => $"Vec({Rows})",
        _ => $"Mat({Rows}x{Cols})",
    };
}
