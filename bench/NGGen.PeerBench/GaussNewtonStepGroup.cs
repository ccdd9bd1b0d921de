using NGGen.IO;
using System.Globalization;
using NGGen.Bench;
using NGGen.Solvers;

namespace NGGen.PeerBench;

/// <summary>
/// One Hessian-free Gauss-Newton outer iteration in float64 on the benchmark tanh MLPs, squared loss to random
/// targets, L = ½·(1/batch)·Σₛ ‖f(xₛ) − yₛ‖². The step is fully specified so bench/peers/torch_solvers.py runs
/// the same one: evaluate at θ, ∇L, exactly <see cref="CgIterations"/> CG iterations on (G + λI)δ = −∇L from
/// δ = 0 at fixed λ (Martens' progress test off), the predicted reduction ∇Lᵀδ + ½δᵀGδ (one more G product),
/// the cost at θ + δ, and θ ← θ + δ when it is lower. Each timed call restarts from the same θ, so it is one
/// steady-state iteration: one forward that keeps what the products need, one gradient, 11 G products, one
/// trial forward. Writes θ, x, y, the layout and NGGen's gradient, step, new θ and scalars under DIR/gncg/CASE/.
/// </summary>
public static class GaussNewtonStepGroup
{
    public const int CgIterations = 10;
    public const double Damping = 0.1;
    public const int Batch = 256;

    public static void Run(PeerOptions options)
    {
        int[] widths = options.Quick ? [64] : [64, 256];
        foreach (int width in widths)
        {
            string directory = options.GroupDirectory(Path.Combine("gncg", $"w{width}_b{Batch}"));
            switch (width)
            {
                case 64: RunCase<Mlp64>(Batch, directory); break;
                case 256: RunCase<Mlp256>(Batch, directory); break;
                default: throw new ArgumentOutOfRangeException(nameof(options), width, "No benchmark MLP of this width.");
            }
        }
    }

    private static void RunCase<TModel>(int batch, string directory) where TModel : IModel<TModel>
    {
        int width = TModel.Functions[0].OutputSize;
        int p = TModel.ParameterCount;
        var random = new Random(width * 104729 + batch);
        var x = new double[width * batch];
        var y = new double[width * batch];
        for (int i = 0; i < x.Length; i++)
            x[i] = 2 * random.NextDouble() - 1;
        for (int i = 0; i < y.Length; i++)
            y[i] = 2 * random.NextDouble() - 1;
        var theta0 = new double[p];
        TModel.InitializeParameters<double>(theta0, 1);
        double weight = 1.0 / batch;

        var problem = new TrainingProblem<TModel>(new ResidualBlock(0, x, batch, y, weight));
        var stepper = new GaussNewtonCgStepper<TModel>(problem, new GaussNewtonCgOptions
        {
            MaxCgIterations = CgIterations,
            CgEpsilon = 0,
            WarmStartDecay = 0,
            InitialDamping = Damping,
            GradientTolerance = 0,
        });
        var theta = new double[p];
        GaussNewtonCgOutcome outcome = default;
        void Step()
        {
            theta0.CopyTo(theta, 0);
            stepper.Reset();
            outcome = stepper.Iterate(theta);
        }

        Step();
        if (!outcome.Stepped || outcome.CgIterations != CgIterations)
            throw new InvalidOperationException($"gncg w{width}: the reference step ran {outcome.CgIterations} CG iterations, not {CgIterations} (stepped: {outcome.Stepped}).");
        NpyFile.Write<double>(Path.Combine(directory, "theta.npy"), theta0, p);
        NpyFile.Write<double>(Path.Combine(directory, "x.npy"), x, width, batch);
        NpyFile.Write<double>(Path.Combine(directory, "y.npy"), y, width, batch);
        MlpGroup.WriteLayout<TModel>(Path.Combine(directory, "layout.json"));
        File.WriteAllText(Path.Combine(directory, "config.json"), string.Create(CultureInfo.InvariantCulture,
            $"{{\"width\":{width},\"batch\":{batch},\"weight\":{weight:R},\"damping\":{Damping:R},\"cg_iterations\":{CgIterations}}}\n"));
        NpyFile.Write<double>(Path.Combine(directory, "out_gradient.npy"), stepper.Gradient, p);
        NpyFile.Write<double>(Path.Combine(directory, "out_step.npy"), stepper.Step, p);
        NpyFile.Write<double>(Path.Combine(directory, "out_theta.npy"), theta, p);
        // cost at θ, cost at θ + δ, ρ, accepted (1/0)
        NpyFile.Write<double>(Path.Combine(directory, "out_scalars.npy"), [outcome.CostBefore, outcome.TrialCost, outcome.Ratio, outcome.Accepted ? 1 : 0], 4);

        var timing = Measure.Median(Step);
        ResultWriter.Write("gncg", $"w{width}/b{batch}", timing,
            ("width", width), ("batch", batch), ("parameters", p), ("cg_iterations", CgIterations), ("damping", Damping),
            ("cost", outcome.CostBefore), ("trial_cost", outcome.TrialCost), ("accepted", outcome.Accepted));
    }
}
