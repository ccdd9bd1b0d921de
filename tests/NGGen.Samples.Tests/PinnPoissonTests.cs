using NGGen.Checking;
using NGGen.Samples.PinnPoisson;
using NGGen.Solvers;

namespace NGGen.Samples.Tests;

/// <summary>The PINN sample's residuals, problem definitions, gradient-descent baseline and solver runs at reduced
/// sizes, against finite differences, closed forms and the paper's qualitative behaviour.</summary>
public class PinnPoissonTests
{
    [Fact]
    public void HeatResidualDerivativesMatchFiniteDifferencesOfTheNetwork()
    {
        // u_t and u_xx come from nested Grad of the generated network; compare with central differences of the
        // generated U itself (h = 1e-4 for u_t: truncation ~h²; h = 1e-3 for u_xx: truncation ~h², rounding ~ε/h²).
        const int batch = 20;
        var random = new Random(3);
        var theta = GradientChecker.RandomParameters<Heat1DNarrow>(random);
        var z = GradientChecker.RandomInputs<Heat1DNarrow>(random, Heat1DNarrow.InteriorFunction, batch, 0, 1);
        var ut = GradientChecker.Forward<Heat1DNarrow, double>(Heat1DNarrow.UtFunction, theta, z, batch);
        var uxx = GradientChecker.Forward<Heat1DNarrow, double>(Heat1DNarrow.UxxFunction, theta, z, batch);
        var interior = GradientChecker.Forward<Heat1DNarrow, double>(Heat1DNarrow.InteriorFunction, theta, z, batch);
        double[] U(int dimension, double shift)
        {
            var shifted = (double[])z.Clone();
            for (int s = 0; s < batch; s++)
                shifted[dimension * batch + s] += shift;
            return GradientChecker.Forward<Heat1DNarrow, double>(Heat1DNarrow.UFunction, theta, shifted, batch);
        }
        double ht = 1e-4, hx = 1e-3;
        double[] tPlus = U(0, ht), tMinus = U(0, -ht), xPlus = U(1, hx), xMinus = U(1, -hx), center = U(1, 0);
        double worst = 0;
        for (int s = 0; s < batch; s++)
        {
            double fdT = (tPlus[s] - tMinus[s]) / (2 * ht);
            double fdXx = (xPlus[s] - 2 * center[s] + xMinus[s]) / (hx * hx);
            worst = Math.Max(worst, Math.Abs(ut[s] - fdT) / Math.Max(1, Math.Abs(fdT)));
            worst = Math.Max(worst, Math.Abs(uxx[s] - fdXx) / Math.Max(1, Math.Abs(fdXx)));
            worst = Math.Max(worst, Math.Abs(interior[s] - (fdT - 0.25 * fdXx)) / Math.Max(1, Math.Abs(fdT - 0.25 * fdXx)));
        }
        Assert.True(worst <= 1e-5, $"max relative difference {worst:E2}");
    }

    [Fact]
    public void Poisson5DResidualMatchesAFiniteDifferenceLaplacian()
    {
        // Interior = −Δu − π²Σsin(πxᵢ): recover Δu and compare with the 11-point central stencil in 5D.
        const int batch = 15;
        const double h = 1e-3;
        var random = new Random(4);
        var theta = GradientChecker.RandomParameters<Poisson5DNarrow>(random);
        var x = GradientChecker.RandomInputs<Poisson5DNarrow>(random, Poisson5DNarrow.InteriorFunction, batch, 0, 1);
        var interior = GradientChecker.Forward<Poisson5DNarrow, double>(Poisson5DNarrow.InteriorFunction, theta, x, batch);
        var center = GradientChecker.Forward<Poisson5DNarrow, double>(Poisson5DNarrow.UFunction, theta, x, batch);
        var laplacian = new double[batch];
        for (int dim = 0; dim < 5; dim++)
            foreach (int sign in new[] { 1, -1 })
            {
                var shifted = (double[])x.Clone();
                for (int s = 0; s < batch; s++)
                    shifted[dim * batch + s] += sign * h;
                var u = GradientChecker.Forward<Poisson5DNarrow, double>(Poisson5DNarrow.UFunction, theta, shifted, batch);
                for (int s = 0; s < batch; s++)
                    laplacian[s] += (u[s] - center[s]) / (h * h);
            }
        double worst = 0;
        for (int s = 0; s < batch; s++)
        {
            double source = 0;
            for (int dim = 0; dim < 5; dim++)
                source += Math.PI * Math.PI * Math.Sin(Math.PI * x[dim * batch + s]);
            double generated = -(interior[s] + source);
            worst = Math.Max(worst, Math.Abs(generated - laplacian[s]) / Math.Max(1, Math.Abs(laplacian[s])));
        }
        Assert.True(worst <= 1e-5, $"max relative difference {worst:E2}");
    }

    [Fact]
    public void ExactSolutionsSatisfyTheirEquations()
    {
        // Heat: u_t = ¼u_xx, u(0, x) = sin(πx), u(t, 0) = u(t, 1) = 0, by finite differences on the closed form.
        const double h = 1e-4;
        foreach (var (t, x) in new[] { (0.1, 0.3), (0.5, 0.5), (0.9, 0.77) })
        {
            double ut = (PinnSetups.ExactHeat(t + h, x) - PinnSetups.ExactHeat(t - h, x)) / (2 * h);
            double uxx = (PinnSetups.ExactHeat(t, x + h) - 2 * PinnSetups.ExactHeat(t, x) + PinnSetups.ExactHeat(t, x - h)) / (h * h);
            Assert.True(Math.Abs(ut - 0.25 * uxx) <= 1e-6, $"heat residual {ut - 0.25 * uxx:E2} at ({t}, {x})");
            Assert.Equal(Math.Sin(Math.PI * x), PinnSetups.ExactHeat(0, x), 15);
            Assert.Equal(0, PinnSetups.ExactHeat(t, 0), 15);
            Assert.Equal(0, PinnSetups.ExactHeat(t, 1), 14);
        }
        // 5D: −Δu* = π² Σ sin(πxᵢ) = π² u*.
        double[] point = [0.1, 0.35, 0.5, 0.72, 0.93];
        double laplacian = 0;
        for (int i = 0; i < 5; i++)
        {
            double[] plus = (double[])point.Clone(), minus = (double[])point.Clone();
            plus[i] += h;
            minus[i] -= h;
            laplacian += (PinnSetups.Exact5D(plus) - 2 * PinnSetups.Exact5D(point) + PinnSetups.Exact5D(minus)) / (h * h);
        }
        Assert.True(Math.Abs(-laplacian - Math.PI * Math.PI * PinnSetups.Exact5D(point)) <= 1e-5, $"5D residual {-laplacian - Math.PI * Math.PI * PinnSetups.Exact5D(point):E2}");
    }

    [Fact]
    public void LossesAndErrorsAtZeroParametersMatchClosedForms()
    {
        // With θ = 0 every network is u ≡ 0, so each residual is minus its data and the relative L2 error is 1.
        var poisson = PinnSetups.Poisson2D(30, 21);
        Assert.Equal([784, 116], poisson.Blocks.Select(b => b.Batch));
        double interiorMean = 0;
        for (int i = 1; i < 29; i++)
            for (int j = 1; j < 29; j++)
            {
                double f = 2 * Math.PI * Math.PI * Math.Sin(Math.PI * i / 29) * Math.Sin(Math.PI * j / 29);
                interiorMean += f * f / 784;
            }
        AssertLoss(poisson, 0.5 * interiorMean);

        var heat = PinnSetups.Heat<Heat1DNarrow>(10, 21);
        double initialMean = Enumerable.Range(0, 10).Average(j => Math.Pow(Math.Sin(Math.PI * j / 9.0), 2));
        AssertLoss(heat, 0.5 * initialMean);

        var five = PinnSetups.Poisson5D<Poisson5DNarrow>(40, 30, 200, seed: 9);
        double expected = 0;
        foreach (var (block, scale) in five.Blocks.Zip(new[] { Math.PI * Math.PI, 1.0 }))
        {
            var points = Enumerable.Range(0, block.Batch).Select(s => Enumerable.Range(0, 5).Select(i => block.Inputs[i * block.Batch + s]).ToArray()).ToList();
            // Interior points lie inside the cube, boundary points on one of its faces.
            Assert.All(points, p => Assert.All(p, v => Assert.InRange(v, 0, 1)));
            if (scale == 1.0)
                Assert.All(points, p => Assert.Contains(p, v => v == 0 || v == 1));
            expected += 0.5 * points.Average(p => Math.Pow(scale * PinnSetups.Exact5D(p), 2));
        }
        AssertLoss(five, expected);
    }

    private static void AssertLoss<TModel>(PinnSetup<TModel> setup, double expected) where TModel : IModel<TModel>
    {
        var problem = setup.CreateProblem();
        var zero = new double[problem.ParameterCount];
        double loss = problem.CostAt(zero, new double[problem.ResidualCount]);
        Assert.True(Math.Abs(loss - expected) <= 1e-12 * expected, $"{setup.Name}: loss {loss:R}, closed form {expected:R}");
        Assert.Equal(1.0, setup.CreateErrorMeter().RelativeL2Error(zero), 14);
    }

    [Fact]
    public void GridLineSearchDescentTakesTheBestStepOnTheGridAlongTheGradient()
    {
        // One step from the paper's start: the loss after it must be the smallest of L(θ − 0.5^k ∇L), k = 0..30, with
        // ∇L from central differences of the loss (independent of the generated VJP).
        var setup = PinnSetups.Poisson2D(8, 11);
        var problem = setup.CreateProblem();
        var theta = new double[problem.ParameterCount];
        PaperInitialization.Fill(theta, seed: 5);
        var scratch = new double[problem.ResidualCount];
        var gradient = new double[theta.Length];
        const double h = 1e-6;
        for (int j = 0; j < theta.Length; j++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            gradient[j] = (problem.CostAt(plus, scratch) - problem.CostAt(minus, scratch)) / (2 * h);
        }
        double best = double.PositiveInfinity, eta = 1;
        for (int k = 0; k <= 30; k++, eta *= 0.5)
            best = Math.Min(best, problem.CostAt(theta.Select((v, j) => v - eta * gradient[j]).ToArray(), scratch));

        var summary = GridLineSearchDescent.Solve(setup.CreateProblem(), theta, maxIterations: 1);
        Assert.Equal(1, summary.Iterations);
        Assert.True(summary.FinalCost < summary.InitialCost);
        Assert.True(Math.Abs(summary.FinalCost - best) <= 1e-6 * best, $"step to {summary.FinalCost:R}, grid minimum {best:R}");
    }

    [Fact]
    public void EnergyNaturalGradientReachesSmallErrorsWhereAdamDoesNot()
    {
        // The paper's headline at a reduced size (12×12 grid, iteration counts instead of time): from the paper's
        // initialisation, 80 ENGD iterations take the 2D Poisson error from about 0.7 to below 1e-2, while Adam (lr 1e-3,
        // the paper's) with 50× as many iterations stays above it. How long ENGD stays on its initial plateau depends
        // chaotically on the start (and on rounding), so the claim is checked as a majority over five starts.
        var setup = PinnSetups.Poisson2D(12, 21);
        var meter = setup.CreateErrorMeter();
        var outcomes = new List<string>();
        int held = 0;
        for (int seed = 0; seed < 5; seed++)
        {
            var start = new double[Poisson2D.ParameterCount];
            PaperInitialization.Fill(start, seed);
            Assert.True(meter.RelativeL2Error(start) > 0.5);
            var engd = (double[])start.Clone();
            var engdSummary = EnergyNaturalGradient.Solve(setup.CreateProblem(), engd, new EnergyNaturalGradientOptions { MaxIterations = 80 });
            var adam = (double[])start.Clone();
            Adam.Solve(setup.CreateProblem(), adam, new AdamOptions { MaxIterations = 4000 });
            // ENGD accepts only steps that lower the loss.
            Assert.All(engdSummary.History, it => Assert.True(it.StepAccepted));
            double engdError = meter.RelativeL2Error(engd), adamError = meter.RelativeL2Error(adam);
            outcomes.Add($"seed {seed}: ENGD {engdError:E2}, Adam {adamError:E2}");
            if (engdError <= 1e-2 && adamError > 1e-2)
                held++;
        }
        Assert.True(held >= 3, string.Join("; ", outcomes));
    }

    [Fact]
    public void ExperimentRunsEverySolverFromTheSameStartAndGivesTheBaselinesEngdsTime()
    {
        var config = PinnConfig.Tiny;
        var result = PinnExperiment.RunProblem(PinnSetups.Poisson2D(config.Poisson2DGrid, config.TestGrid), 3, config.Poisson2DSecondsCap, config, seed: 0, TextWriter.Null);
        Assert.Equal(Enum.GetValues<SolverKind>(), result.Runs.Select(r => r.Solver));
        var engd = result.Run(SolverKind.EnergyNaturalGradient);
        Assert.Equal(3, engd.Iterations);
        Assert.Equal(engd.Seconds, result.BudgetSeconds);
        // Every curve starts at the common initial network; its error is independent of the solver.
        var start = new double[Poisson2D.ParameterCount];
        PaperInitialization.Fill(start, seed: 0);
        double initialError = PinnSetups.Poisson2D(config.Poisson2DGrid, config.TestGrid).CreateErrorMeter().RelativeL2Error(start);
        foreach (var run in result.Runs)
        {
            Assert.Equal(0, run.Curve[0].Iteration);
            Assert.Equal(initialError, run.Curve[0].RelativeL2Error, 12);
            Assert.Equal(run.RelativeL2Error, run.Curve[^1].RelativeL2Error, 12);
            Assert.True(run.Iterations >= 1, $"{run.Solver} ran no iteration");
        }
        // Gradient descent and L-BFGS stop within one of their (short) iterations of ENGD's time.
        foreach (var solver in new[] { SolverKind.GradientDescent, SolverKind.Lbfgs })
            Assert.True(result.Run(solver).Seconds <= engd.Seconds + 0.5, $"{solver} ran {result.Run(solver).Seconds:F2} s, ENGD {engd.Seconds:F2} s");
    }

    [Fact]
    public void BadSizesAreRejectedWithClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PinnSetups.Poisson2D(2, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PinnSetups.Poisson5D<Poisson5DNarrow>(0, 10, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => (PinnConfig.Default with { Poisson2DIterations = 0 }).Validate());
        var error = Assert.Throws<ArgumentException>(() => PinnSetups.Heat<Poisson2D>(5, 5));
        Assert.Contains("Initial", error.Message);
    }
}
