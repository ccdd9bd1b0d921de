using System.Diagnostics;
using System.Numerics.Tensors;
using NGGen.Solvers;

namespace NGGen.Samples.SobolevRegression;

/// <summary>One recorded point of a run: iteration, training wall time so far (evaluation excluded), figures.</summary>
public sealed record TracePoint<TMetrics>(int Iteration, double Seconds, TMetrics Metrics);

/// <summary>One optimizer's run: its label, the trace from iteration 0, why it stopped, and the final parameters.</summary>
public sealed record MethodRun<TMetrics>(string Method, IReadOnlyList<TracePoint<TMetrics>> Trace, string Termination, double[] Theta)
{
    /// <summary>The last recorded point.</summary>
    public TracePoint<TMetrics> Final => Trace[^1];
}

/// <summary>
/// Records a run's figures every few iterations. The solvers' clocks include the time spent in their
/// callbacks, so the recorder subtracts its own evaluation time: the traces' seconds are training time only.
/// Prints a progress line about every five seconds.
/// </summary>
internal sealed class Recorder<TMetrics>(string label, double[] theta, Func<double[], TMetrics> evaluate, int every, Func<TMetrics, string> describe)
{
    private readonly List<TracePoint<TMetrics>> _trace = [];
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private double _evaluationSeconds;

    public IReadOnlyList<TracePoint<TMetrics>> Trace => _trace;

    /// <summary>Records iteration <paramref name="iteration"/> if due; <paramref name="solverSeconds"/> is the solver's own clock.</summary>
    public void Record(int iteration, double solverSeconds, bool force = false)
    {
        if (!force && iteration % every != 0)
            return;
        var clock = Stopwatch.StartNew();
        var metrics = evaluate(theta);
        _trace.Add(new TracePoint<TMetrics>(iteration, Math.Max(0, solverSeconds - _evaluationSeconds), metrics));
        _evaluationSeconds += clock.Elapsed.TotalSeconds;
        if (_sinceProgress.Elapsed.TotalSeconds >= 5)
        {
            Console.WriteLine($"    {label}: iteration {iteration}, {describe(metrics)}");
            _sinceProgress.Restart();
        }
    }

    public MethodRun<TMetrics> Finish(int iteration, double solverSeconds, string termination)
    {
        if (_trace.Count == 0 || _trace[^1].Iteration != iteration)
            Record(iteration, solverSeconds, force: true);
        return new MethodRun<TMetrics>(label, _trace, termination, (double[])theta.Clone());
    }
}

/// <summary>The optimizers compared, each run from a copy of the same initial parameters.</summary>
internal static class Training
{
    /// <summary>Natural gradient with the Fisher/GGN metric (<paramref name="metric"/> null) or a least-squares metric problem
    /// (derivative-form Sobolev metrics). Step 1 with Armijo backtracking: the Gauss-Newton step of the metric.</summary>
    public static MethodRun<TMetrics> Natural<TModel, TMetrics>(string label, TrainingProblem<TModel> loss, TrainingProblem<TModel>? metric,
        double damping, double[] initial, int iterations, int records, Func<double[], TMetrics> evaluate, Func<TMetrics, string> describe)
        where TModel : IModel<TModel>
    {
        var theta = (double[])initial.Clone();
        var recorder = new Recorder<TMetrics>(label, theta, evaluate, Every(iterations, records), describe);
        recorder.Record(0, 0, force: true);
        var options = new NaturalGradientOptions
        {
            MaxIterations = iterations,
            MaxBacktracks = 20,
            // The metric of a tanh network is nearly singular; damping keeps the first steps from overshooting.
            Damping = damping,
            Callback = r => { recorder.Record(r.Iteration, r.Seconds); return true; },
        };
        var summary = new NaturalGradient<TModel>(loss, options, metric).Solve(theta);
        return recorder.Finish(summary.Iterations, summary.TotalSeconds, summary.Termination.ToString());
    }

    /// <summary>The kernel-form natural gradient δ = −Jᵀ(JJᵀ + λI)⁻¹M⁻¹r on the training samples, η = 1 with Armijo halving.</summary>
    public static MethodRun<TMetrics> Kernel<TModel, TMetrics>(string label, TrainingProblem<TModel> loss, OutputMetric outputMetric, double[]? kernel,
        double damping, double[] initial, int iterations, int records, Func<double[], TMetrics> evaluate, Func<TMetrics, string> describe)
        where TModel : IModel<TModel>
    {
        var theta = (double[])initial.Clone();
        var recorder = new Recorder<TMetrics>(label, theta, evaluate, Every(iterations, records), describe);
        recorder.Record(0, 0, force: true);
        var solver = new KernelNaturalGradient<TModel>(loss, outputMetric, kernel);
        int p = loss.ParameterCount;
        var direction = new double[p];
        var trial = new double[p];
        var gradient = new double[p];
        var residuals = new double[loss.ResidualCount];
        var scratch = new double[loss.ResidualCount];
        var clock = Stopwatch.StartNew();
        double cost = loss.Cost(theta, residuals);
        string termination = "MaxIterations";
        int iteration = 0;
        while (iteration < iterations)
        {
            solver.Direction(theta, direction, damping);
            // The Armijo test needs ∇L = Jᵀr at θ.
            loss.Cost(theta, residuals);
            gradient.AsSpan().Clear();
            loss.Vjp(theta, residuals, gradient, scratch);
            double slope = TensorPrimitives.Dot<double>(gradient, direction);
            double step = 1, trialCost = double.NaN;
            int halvings = 0;
            for (; halvings <= 30; halvings++, step *= 0.5)
            {
                TensorPrimitives.MultiplyAdd<double>(direction, step, theta, trial);
                trialCost = loss.Cost(trial, scratch);
                if (double.IsFinite(trialCost) && trialCost <= cost + 1e-4 * step * slope)
                    break;
            }
            if (halvings > 30)
            {
                termination = "NoProgress";
                break;
            }
            trial.CopyTo(theta, 0);
            cost = trialCost;
            iteration++;
            recorder.Record(iteration, clock.Elapsed.TotalSeconds);
        }
        return recorder.Finish(iteration, clock.Elapsed.TotalSeconds, termination);
    }

    /// <summary>Full-batch Adam (NGGen's <see cref="Adam"/>).</summary>
    public static MethodRun<TMetrics> Adam<TModel, TMetrics>(string label, TrainingProblem<TModel> loss, double[] initial, int iterations, double learningRate,
        int records, Func<double[], TMetrics> evaluate, Func<TMetrics, string> describe)
        where TModel : IModel<TModel>
    {
        var theta = (double[])initial.Clone();
        int every = Every(iterations, records);
        var recorder = new Recorder<TMetrics>(label, theta, evaluate, every, describe);
        recorder.Record(0, 0, force: true);
        var options = new AdamOptions
        {
            MaxIterations = iterations,
            LearningRate = learningRate,
            RecordEvery = every,
            Callback = r => { recorder.Record(r.Iteration, r.Seconds); return true; },
        };
        var summary = NGGen.Solvers.Adam.Solve(loss, theta, options);
        return recorder.Finish(summary.Iterations, summary.TotalSeconds, summary.Termination.ToString());
    }

    /// <summary>
    /// Minibatch SGD θ ← θ + η·d with d = −∇L_B from <see cref="GradientOracle{TModel}"/> on a minibatch B, reshuffled
    /// every epoch. NGGen's <see cref="GradientDescent"/> is full-batch, so the sample builds one minibatch problem
    /// whose input and target arrays it refills before each step (a block reads its arrays on every evaluation).
    /// </summary>
    public static MethodRun<TMetrics> Sgd<TModel, TMetrics>(string label, int function, Dataset train, int inputSize, OutputLoss outputLoss, int batch, double learningRate,
        int steps, double[] initial, int records, Func<double[], TMetrics> evaluate, Func<TMetrics, string> describe)
        where TModel : IModel<TModel>
    {
        if (batch <= 0 || batch > train.Count)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"The minibatch must hold 1 to {train.Count} samples.");
        var theta = (double[])initial.Clone();
        var recorder = new Recorder<TMetrics>(label, theta, evaluate, Every(steps, records), describe);
        recorder.Record(0, 0, force: true);
        var inputs = new double[inputSize * batch];
        var targets = new double[batch];
        var order = Enumerable.Range(0, train.Count).ToArray();
        var random = new Random(17);
        int cursor = train.Count;
        void Fill()
        {
            for (int s = 0; s < batch; s++)
            {
                if (cursor == train.Count)
                {
                    random.Shuffle(order);
                    cursor = 0;
                }
                int source = order[cursor++];
                for (int i = 0; i < inputSize; i++)
                    inputs[i * batch + s] = train.Inputs[i * train.Count + source];
                targets[s] = train.Targets[source];
            }
        }
        Fill();
        // The same per-sample weight as the full loss (mean over samples), so η means the same thing.
        var problem = new TrainingProblem<TModel>(new ResidualBlock(function, inputs, batch, targets, Weight: 1.0 / batch, OutputLoss: outputLoss));
        var oracle = new GradientOracle<TModel>(problem);
        var direction = new double[theta.Length];
        var clock = Stopwatch.StartNew();
        string termination = "MaxIterations";
        int step = 0;
        while (step < steps)
        {
            Fill();
            double cost = oracle.Direction(theta, direction);
            if (!double.IsFinite(cost))
            {
                termination = "NonFiniteCost";
                break;
            }
            TensorPrimitives.MultiplyAdd<double>(direction, learningRate, theta, theta);
            step++;
            recorder.Record(step, clock.Elapsed.TotalSeconds);
        }
        return recorder.Finish(step, clock.Elapsed.TotalSeconds, termination);
    }

    private static int Every(int iterations, int records) => Math.Max(1, iterations / Math.Max(1, records));
}
