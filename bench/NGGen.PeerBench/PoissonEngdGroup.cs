using NGGen.IO;
using System.Globalization;
using NGGen.Solvers;
using NGGen.Samples.PinnPoisson;
using Quickstart;

namespace NGGen.PeerBench;

/// <summary>
/// One energy natural gradient iteration on Müller and Zeinhofer's 2D Poisson PINN (the Quickstart's
/// <see cref="PoissonSetup"/>: tanh [2, 32, 1], 129 parameters, 784 interior and 116 boundary points, loss
/// ½·mean r_Ω² + ½·mean r_∂Ω²) with the library's defaults: J of the 900 weighted residuals, G = JᵀJ,
/// d = G⁺∇L with eigenvalues below 1e-14 × the largest dropped, the grid line search over η = 0.5^k, k = 0..30
/// (cutoff ×100 and again when no grid point lowers the loss), θ ← the best grid point. Each timed call restarts
/// from the same θ: one loss evaluation, one Jacobian, one eigendecomposition, 31 trial losses. Cases: the
/// paper's initialisation (every parameter 0.1·N(0, 1), the PinnPoisson sample's <see cref="PaperInitialization"/>;
/// NGGen's default Glorot start sits on a plateau where η ≈ 2⁻²⁵), and the iterate after <see cref="LaterIteration"/> ENGD iterations from it, where the
/// Gramian is far more ill-conditioned. Writes θ, the points, the weights and NGGen's gradient, direction, η,
/// new θ and losses under DIR/engd/CASE/.
/// </summary>
public static class PoissonEngdGroup
{
    public const int Seed = 0;
    public const int LaterIteration = 20;

    public static void Run(PeerOptions options)
    {
        int[] starts = options.Quick ? [0] : [0, LaterIteration];
        var setup = new PoissonSetup();
        var problem = setup.Problem;
        var engdOptions = new EnergyNaturalGradientOptions { GradientTolerance = 0 };
        int p = PoissonNet.ParameterCount;
        foreach (int start in starts)
        {
            var theta0 = new double[p];
            PaperInitialization.Fill(theta0, Seed);
            if (start > 0)
                EnergyNaturalGradient.Solve(problem, theta0, engdOptions with { MaxIterations = start, ParameterTolerance = 0 });

            var stepper = new EnergyNaturalGradientStepper<PoissonNet>(problem, engdOptions);
            var theta = new double[p];
            EnergyNaturalGradientOutcome outcome = default;
            void Step()
            {
                theta0.CopyTo(theta, 0);
                stepper.Reset();
                outcome = stepper.Iterate(theta);
            }

            Step();
            if (!outcome.Accepted)
                throw new InvalidOperationException($"engd iteration {start}: the reference step did not lower the loss.");
            string directory = options.GroupDirectory(Path.Combine("engd", $"seed{Seed}_iter{start}"));
            var interior = problem.Blocks[0];
            var boundary = problem.Blocks[1];
            NpyFile.Write<double>(Path.Combine(directory, "theta.npy"), theta0, p);
            NpyFile.Write<double>(Path.Combine(directory, "interior.npy"), interior.Inputs, 2, interior.Batch);
            NpyFile.Write<double>(Path.Combine(directory, "boundary.npy"), boundary.Inputs, 2, boundary.Batch);
            MlpGroup.WriteLayout<PoissonNet>(Path.Combine(directory, "layout.json"));
            File.WriteAllText(Path.Combine(directory, "config.json"), string.Create(CultureInfo.InvariantCulture,
                $"{{\"iteration\":{start},\"interior_weight\":{interior.Weight:R},\"boundary_weight\":{boundary.Weight:R}," +
                $"\"cutoff\":{engdOptions.PseudoInverseCutoff:R},\"line_search_exponents\":{engdOptions.LineSearchExponents}}}\n"));
            NpyFile.Write<double>(Path.Combine(directory, "out_gradient.npy"), stepper.Gradient, p);
            NpyFile.Write<double>(Path.Combine(directory, "out_direction.npy"), stepper.Direction, p);
            NpyFile.Write<double>(Path.Combine(directory, "out_theta.npy"), theta, p);
            // loss at θ, loss after the step, η, final cutoff
            NpyFile.Write<double>(Path.Combine(directory, "out_scalars.npy"), [outcome.CostBefore, outcome.Cost, outcome.StepSize, outcome.Regularization], 4);

            var timing = Measure.Median(Step);
            PrintComponents(problem, theta0);
            ResultWriter.Write("engd", $"poisson2d/iter{start}", timing,
                ("iteration", start), ("parameters", p), ("interior", interior.Batch), ("boundary", boundary.Batch),
                ("loss", outcome.CostBefore), ("new_loss", outcome.Cost), ("eta", outcome.StepSize), ("cutoff", outcome.Regularization));
        }
    }

    // Where an iteration's time goes (stderr only, for profiling): the Jacobian, the eigendecomposition, one loss.
    private static void PrintComponents(TrainingProblem<PoissonNet> problem, double[] theta)
    {
        int p = problem.ParameterCount, m = problem.ResidualCount;
        var jacobian = new double[m * p];
        var gramian = new double[p * p];
        var residuals = new double[m];
        var eigen = new NGGen.LinearAlgebra.SymmetricEigen(p, new EnergyNaturalGradientOptions().EigenMethod);
        var jacobi = new NGGen.LinearAlgebra.SymmetricEigen(p, NGGen.LinearAlgebra.SymmetricEigenMethod.Jacobi);
        problem.Jacobian(theta, jacobian);
        NGGen.Kernels.Gemm.Multiply<double>(true, false, p, p, m, jacobian, p, jacobian, p, gramian, p, false);
        double jacobianSeconds = Measure.Median(() => problem.Jacobian(theta, jacobian)).Seconds;
        double eigenSeconds = Measure.Median(() => eigen.Decompose(gramian, p)).Seconds;
        double jacobiSeconds = Measure.Median(() => jacobi.Decompose(gramian, p)).Seconds;
        double lossSeconds = Measure.Median(() => problem.Cost(theta, residuals)).Seconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"         components: Jacobian {jacobianSeconds * 1e3:F2} ms, eigendecomposition {eigenSeconds * 1e3:F2} ms (Jacobi {jacobiSeconds * 1e3:F2} ms), one loss {lossSeconds * 1e3:F3} ms"));
    }
}
