using NGGen;
using NGGen.Solvers;

namespace Quickstart;

/// <summary>Müller and Zeinhofer's 2D Poisson setup: a 30×30 grid on the unit square gives 784 interior
/// and 116 boundary collocation points; the loss is the mean squared interior residual plus the mean
/// squared boundary value (each halved); errors are measured on a 101×101 test grid.</summary>
public sealed class PoissonSetup
{
    private readonly double[] _testPoints;
    private readonly double[] _exact;
    private readonly double[] _prediction;
    private readonly double[] _workspace;

    public PoissonSetup()
    {
        var interior = new List<(double X, double Y)>();
        var boundary = new List<(double X, double Y)>();
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 30; j++)
                (i == 0 || j == 0 || i == 29 || j == 29 ? boundary : interior).Add((i / 29.0, j / 29.0));
        Problem = new TrainingProblem<PoissonNet>(
            new ResidualBlock(PoissonNet.InteriorFunction, FeatureMajor(interior), interior.Count, Weight: 1.0 / interior.Count),
            new ResidualBlock(PoissonNet.BoundaryFunction, FeatureMajor(boundary), boundary.Count, Weight: 1.0 / boundary.Count));
        InteriorPoints = interior.Count;
        BoundaryPoints = boundary.Count;

        var test = new List<(double X, double Y)>();
        for (int i = 0; i <= 100; i++)
            for (int j = 0; j <= 100; j++)
                test.Add((i / 100.0, j / 100.0));
        _testPoints = FeatureMajor(test);
        _exact = test.Select(p => Math.Sin(Math.PI * p.X) * Math.Sin(Math.PI * p.Y)).ToArray();
        _prediction = new double[test.Count];
        _workspace = new double[PoissonNet.WorkspaceLength(PoissonNet.UFunction, EvaluationKind.Forward, test.Count)];
    }

    public TrainingProblem<PoissonNet> Problem { get; }

    public int InteriorPoints { get; }

    public int BoundaryPoints { get; }

    /// <summary>‖u_θ − u*‖₂ / ‖u*‖₂ on the test grid, with u* = sin(πx) sin(πy).</summary>
    public double RelativeL2Error(ReadOnlySpan<double> theta)
    {
        PoissonNet.Forward<double>(PoissonNet.UFunction, theta, _testPoints, _exact.Length, _prediction, _workspace);
        double num = 0, den = 0;
        for (int i = 0; i < _exact.Length; i++)
        {
            num += (_prediction[i] - _exact[i]) * (_prediction[i] - _exact[i]);
            den += _exact[i] * _exact[i];
        }
        return Math.Sqrt(num / den);
    }

    private static double[] FeatureMajor(List<(double X, double Y)> points)
    {
        var values = new double[2 * points.Count];
        for (int s = 0; s < points.Count; s++)
        {
            values[s] = points[s].X;
            values[points.Count + s] = points[s].Y;
        }
        return values;
    }
}
