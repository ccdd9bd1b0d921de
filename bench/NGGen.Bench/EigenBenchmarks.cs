using BenchmarkDotNet.Attributes;
using NGGen.LinearAlgebra;

namespace NGGen.Bench;

/// <summary>
/// <see cref="SymmetricEigen.Decompose"/> against the textbook Jacobi baseline on an ENGD-like Gramian G = JᵀJ
/// (J with 2p rows and columns scaled over 8 decades, so eigenvalues span about 1e-15 to 1e2). The setup checks
/// that both give the same eigenvalues (relative 1e-10) before anything is timed.
/// </summary>
[MemoryDiagnoser]
public class EigenBenchmarks
{
    private double[] _gramian = [];
    private SymmetricEigen _library = null!;
    private TextbookJacobi _textbook = null!;

    /// <summary>Gets or sets the matrix size p (129: the 2D Poisson PINN; 449: the paper's 5D network).</summary>
    [Params(129, 257, 449)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        int n = Size, m = 2 * n;
        var random = new Random(n);
        var jacobian = new double[m * n];
        for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++)
                jacobian[r * n + c] = (random.NextDouble() - 0.5) * Math.Pow(10, -8.0 * c / n);
        _gramian = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double sum = 0;
                for (int r = 0; r < m; r++)
                    sum += jacobian[r * n + a] * jacobian[r * n + b];
                _gramian[a * n + b] = sum;
            }
        _library = new SymmetricEigen(n);
        _textbook = new TextbookJacobi(n);
        _library.Decompose(_gramian, n);
        _textbook.Decompose(_gramian, n);
        var library = _library.Values.ToArray().Order().ToArray();
        var textbook = _textbook.Values.ToArray().Order().ToArray();
        for (int k = 0; k < n; k++)
            if (Math.Abs(library[k] - textbook[k]) > 1e-10 * Math.Abs(textbook[k]))
                throw new InvalidOperationException($"Eigenvalue {k} differs: {library[k]:R} vs {textbook[k]:R}.");
    }

    [Benchmark(Description = "Textbook Jacobi", Baseline = true)]
    public void Textbook() => _textbook.Decompose(_gramian, Size);

    [Benchmark(Description = "SymmetricEigen")]
    public void Library() => _library.Decompose(_gramian, Size);
}
