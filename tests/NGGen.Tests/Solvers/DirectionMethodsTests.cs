using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class DirectionMethodsTests(ITestOutputHelper output)
{
    [Fact]
    public void Adam_matches_the_textbook_recursion_on_a_line_fit()
    {
        // Kingma and Ba's Adam in the form of their §2 last paragraph (bias corrections folded into the step
        // size α_t = α√(1 − β₂ᵗ)/(1 − β₁ᵗ)), written out on L(θ) = ½‖Aθ − y‖² with the closed-form gradient
        // AᵀAθ − Aᵀy; Adam.Solve (Adam on the steepest-descent oracle) must follow it step for step.
        double[] t = [0, 0.5, 1, 1.5, 2];
        double[] y = [0.1, 0.4, 1.1, 1.4, 2.2];
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y));
        double stt = t.Sum(v => v * v), st = t.Sum(), n = t.Length, sty = t.Zip(y, (a, b) => a * b).Sum(), sy = y.Sum();
        var options = new AdamOptions { LearningRate = 0.05, MaxIterations = 40 };
        double[] theta = [0, 0];
        var summary = Adam.Solve(problem, theta, options);
        double[] reference = [0, 0], first = [0, 0], second = [0, 0];
        for (int k = 1; k <= 40; k++)
        {
            double[] g = [stt * reference[0] + st * reference[1] - sty, st * reference[0] + n * reference[1] - sy];
            for (int j = 0; j < 2; j++)
            {
                first[j] = options.Beta1 * first[j] + (1 - options.Beta1) * g[j];
                second[j] = options.Beta2 * second[j] + (1 - options.Beta2) * g[j] * g[j];
                double stepSize = options.LearningRate * Math.Sqrt(1 - Math.Pow(options.Beta2, k)) / (1 - Math.Pow(options.Beta1, k));
                reference[j] -= stepSize * first[j] / (Math.Sqrt(second[j]) + options.Epsilon);
            }
        }
        Assert.Equal(40, summary.Iterations);
        Assert.Equal(reference[0], theta[0], 1e-14);
        Assert.Equal(reference[1], theta[1], 1e-14);
    }

    [Fact]
    public void Momentum_on_the_gradient_oracle_matches_the_heavy_ball_closed_form_on_a_line_fit()
    {
        // Least squares on a line: L(θ) = ½‖Aθ − y‖², so b_k = μb_{k−1} − (AᵀA θ_{k−1} − Aᵀy) and θ_k = θ_{k−1} + ηb_k
        // is a linear recurrence we can run in closed form on the 2×2 normal matrix.
        double[] t = [0, 0.5, 1, 1.5, 2];
        double[] y = [0.1, 0.4, 1.1, 1.4, 2.2];
        var problem = new TrainingProblem<Line.Compiled>(new ResidualBlock(0, t, t.Length, y));
        double stt = t.Sum(v => v * v), st = t.Sum(), n = t.Length, sty = t.Zip(y, (a, b) => a * b).Sum(), sy = y.Sum();
        const double eta = 0.05, mu = 0.8;
        double[] theta = [0, 0];
        DirectionMethods.Momentum(new GradientOracle<Line.Compiled>(problem), theta, new MomentumOptions { LearningRate = eta, Momentum = mu, MaxIterations = 25 });
        double a = 0, c = 0, ba = 0, bc = 0;
        for (int k = 0; k < 25; k++)
        {
            double ga = stt * a + st * c - sty, gc = st * a + n * c - sy;
            ba = mu * ba - ga;
            bc = mu * bc - gc;
            a += eta * ba;
            c += eta * bc;
        }
        Assert.Equal(a, theta[0], 1e-12);
        Assert.Equal(c, theta[1], 1e-12);
    }

    [Fact]
    public void A_nan_direction_keeps_the_last_finite_parameters()
    {
        var (problem, start) = ClassificationProblems.Softmax(4);
        var oracle = new Poisoned(new GradientOracle<SoftmaxMlp>(problem), afterCalls: 4);
        var theta = (double[])start.Clone();
        var summary = DirectionMethods.Momentum(oracle, theta, new MomentumOptions { LearningRate = 1e-2, MaxIterations = 50 });
        output.WriteLine(summary.Message);
        Assert.Equal(TerminationType.NonFiniteCost, summary.Termination);
        // Steps 1–3 used finite directions; step 4 used the poisoned one and was undone.
        Assert.Equal(4, summary.Iterations);
        var reference = (double[])start.Clone();
        DirectionMethods.Momentum(new GradientOracle<SoftmaxMlp>(problem), reference, new MomentumOptions { LearningRate = 1e-2, MaxIterations = 3 });
        Assert.Equal(reference, theta);
        Assert.Equal(problem.Evaluate(theta, new double[problem.ResidualCount]), summary.FinalCost);
    }

    [Fact]
    public void Iterations_allocate_nothing()
    {
        // Twenty more iterations of either rule with the dual Gauss-Newton oracle allocate no more bytes (the
        // history, recorded once here, is sized up front).
        var (problem, start) = ClassificationProblems.Softmax(4);
        var oracle = new DualGaussNewton<SoftmaxMlp>(problem, new DualGaussNewtonOptions { MaxCgIterations = 10 });
        // The runtime itself occasionally allocates on the test thread under load (seen once in CI: 2080 extra bytes),
        // so each count is the least of three runs: an allocation per iteration would show in every run.
        long Bytes(Func<double[], SolverSummary> run)
        {
            run((double[])start.Clone());
            long least = long.MaxValue;
            for (int repeat = 0; repeat < 3; repeat++)
            {
                var theta = (double[])start.Clone();
                long before = GC.GetAllocatedBytesForCurrentThread();
                run(theta);
                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return least;
        }
        foreach (var method in new Func<int, double[], SolverSummary>[]
        {
            (n, theta) => DirectionMethods.Momentum(oracle, theta, new MomentumOptions { LearningRate = 1e-2, MaxIterations = n, RecordEvery = 1000 }),
            (n, theta) => DirectionMethods.Adam(oracle, theta, new AdamOptions { LearningRate = 1e-3, MaxIterations = n, RecordEvery = 1000 }),
        })
        {
            var bytes = new[] { 5, 25 }.Select(n => Bytes(theta => method(n, theta))).ToArray();
            output.WriteLine($"5 iterations: {bytes[0]} bytes, 25 iterations: {bytes[1]} bytes");
            // Any allocation per iteration is at least one 24-byte object, so 20 more iterations would add 480 bytes
            // or more. A single 24-byte object in all three 25-iteration runs (once in a loaded full CI run, never
            // alone) is the runtime's, not an iteration's.
            Assert.True(bytes[1] - bytes[0] < 20 * 24, $"20 more iterations allocated {bytes[1] - bytes[0]} bytes");
        }
    }

    // Returns NaN directions from the given call on, so that the next θ and its cost are NaN.
    private sealed class Poisoned(IDirectionOracle<SoftmaxMlp> inner, int afterCalls) : IDirectionOracle<SoftmaxMlp>
    {
        private int _calls;

        public TrainingProblem<SoftmaxMlp> Problem => inner.Problem;

        public double Direction(ReadOnlySpan<double> theta, Span<double> direction)
        {
            double cost = inner.Direction(theta, direction);
            if (++_calls >= afterCalls)
                direction.Fill(double.NaN);
            return cost;
        }
    }
}
