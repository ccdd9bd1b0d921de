using System.Diagnostics;
using NGGen.Solvers;

namespace NGGen.Samples.CurveFitting;

/// <summary>One Levenberg-Marquardt fit: the parameters, their standard errors σ√diag((JᵀJ)⁻¹), and how the solve went.</summary>
public sealed record FitResult(
    string Model,
    string[] ParameterNames,
    double[] Parameters,
    double[] StandardErrors,
    double ResidualSumOfSquares,
    double ResidualVariance,
    int Iterations,
    TerminationType Termination,
    double Seconds,
    string? CovarianceProblem = null);

/// <summary>A curve model y = f(x; b) the sample can fit, without the caller naming the generated type.</summary>
public interface ICurveModel
{
    string Name { get; }

    string[] ParameterNames { get; }

    /// <summary>Fits y ≈ f(x; b) from <paramref name="start"/> by Levenberg-Marquardt (optionally with a robust loss)
    /// and computes the standard errors at the result.</summary>
    FitResult Fit(double[] x, double[] y, double[] start, RobustLoss? loss = null);

    /// <summary>f(x; b) at every x.</summary>
    double[] Predict(double[] parameters, double[] x);
}

/// <summary>The <see cref="ICurveModel"/> of a generated scalar model.</summary>
public sealed class CurveModel<TModel> : ICurveModel where TModel : IModel<TModel>
{
    /// <summary>Tolerances well below NIST's 11 certified digits, so the stopping rule never limits accuracy;
    /// the solver stops when steps no longer change the parameters in double precision.</summary>
    public static readonly LevenbergMarquardtOptions Options = new()
    {
        MaxIterations = 1000,
        FunctionTolerance = 1e-15,
        ParameterTolerance = 1e-15,
        GradientTolerance = 0,
    };

    public string Name => TModel.Name;

    public string[] ParameterNames => TModel.Parameters.Select(p => p.Name).ToArray();

    public FitResult Fit(double[] x, double[] y, double[] start, RobustLoss? loss = null)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"x has {x.Length} values but y has {y.Length}.");
        if (start.Length != TModel.ParameterCount)
            throw new ArgumentException($"{TModel.Name} has {TModel.ParameterCount} parameters ({string.Join(", ", ParameterNames)}); got {start.Length} starting values.");
        var problem = new TrainingProblem<TModel>(new ResidualBlock(0, x, x.Length, y, Loss: loss));
        var theta = (double[])start.Clone();
        var clock = Stopwatch.StartNew();
        var summary = LevenbergMarquardt.Solve(problem, theta, Options);
        double seconds = clock.Elapsed.TotalSeconds;
        var residuals = new double[x.Length];
        problem.Residuals(theta, residuals);
        double rss = residuals.Sum(r => r * r);
        // A fit can end where the data no longer determine a parameter (a vanished Jacobian column): report
        // that instead of failing the run, with NaN standard errors.
        ParameterCovariance? covariance = null;
        string? covarianceProblem = null;
        try
        {
            covariance = ParameterCovariance.Compute(problem, theta);
        }
        catch (ArgumentException e)
        {
            covarianceProblem = e.Message;
        }
        var errors = covariance?.StandardErrors ?? Enumerable.Repeat(double.NaN, theta.Length).ToArray();
        return new FitResult(TModel.Name, ParameterNames, theta, errors, rss, covariance?.ResidualVariance ?? double.NaN,
            summary.Iterations, summary.Termination, seconds, covarianceProblem);
    }

    public double[] Predict(double[] parameters, double[] x)
    {
        var y = new double[x.Length];
        var workspace = new double[TModel.WorkspaceLength(0, EvaluationKind.Forward, x.Length)];
        TModel.Forward<double>(0, parameters, x, x.Length, y, workspace);
        return y;
    }
}
