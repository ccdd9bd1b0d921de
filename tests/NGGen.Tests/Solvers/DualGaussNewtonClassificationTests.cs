using NGGen.LinearAlgebra;
using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

/// <summary>Small classification problems in the regime the dual is for (outputs ≪ parameters).</summary>
internal static class ClassificationProblems
{
    public const int Classes = 4;

    /// <summary>20 samples × 4 logits = 80 outputs against 320 parameters; random one-hot labels, mean loss
    /// (summed when <paramref name="mean"/> is false). θ is the model's initialisation times
    /// <paramref name="scale"/> (larger scales give more confident logits).</summary>
    public static (TrainingProblem<SoftmaxMlp> Problem, double[] Theta) Softmax(int seed, double scale = 1, int batch = 20, bool mean = true)
    {
        var random = new Random(seed);
        var inputs = Enumerable.Range(0, 3 * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var targets = new double[Classes * batch];
        for (int s = 0; s < batch; s++)
            targets[random.Next(Classes) * batch + s] = 1;
        var theta = new double[SoftmaxMlp.ParameterCount];
        SoftmaxMlp.InitializeParameters<double>(theta, (ulong)seed);
        for (int j = 0; j < theta.Length; j++)
            theta[j] *= scale;
        var block = new ResidualBlock(0, inputs, batch, targets, mean ? 1.0 / batch : 1, OutputLoss: OutputLoss.SoftmaxCrossEntropy);
        return (new TrainingProblem<SoftmaxMlp>(block), theta);
    }

    /// <summary>30 samples × 1 logit against 81 parameters; random 0/1 labels, mean loss (summed when
    /// <paramref name="mean"/> is false).</summary>
    public static (TrainingProblem<LogisticMlp> Problem, double[] Theta) Logistic(int seed, double scale = 1, bool mean = true)
    {
        const int batch = 30;
        var random = new Random(seed);
        var inputs = Enumerable.Range(0, 3 * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var targets = Enumerable.Range(0, batch).Select(_ => (double)random.Next(2)).ToArray();
        var theta = new double[LogisticMlp.ParameterCount];
        LogisticMlp.InitializeParameters<double>(theta, (ulong)seed);
        for (int j = 0; j < theta.Length; j++)
            theta[j] *= scale;
        var block = new ResidualBlock(0, inputs, batch, targets, mean ? 1.0 / batch : 1, OutputLoss: OutputLoss.Logistic);
        return (new TrainingProblem<LogisticMlp>(block), theta);
    }

    /// <summary>∇L = Jᵀg at θ, from the problem's own gradient.</summary>
    public static double[] Gradient<TModel>(TrainingProblem<TModel> problem, ReadOnlySpan<double> theta) where TModel : IModel<TModel>
    {
        var g = new double[problem.ResidualCount];
        problem.Evaluate(theta, g);
        var gradient = new double[problem.ParameterCount];
        problem.Vjp(theta, g, gradient, new double[problem.ResidualCount]);
        return gradient;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    public static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));
}

public class DualGaussNewtonClassificationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(OutputLoss.Logistic, 0.1, DualPreconditioner.CurvaturePseudoInverse)]
    [InlineData(OutputLoss.Logistic, 10.0, DualPreconditioner.CurvaturePseudoInverse)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy, 0.1, DualPreconditioner.CurvaturePseudoInverse)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy, 10.0, DualPreconditioner.CurvaturePseudoInverse)]
    [InlineData(OutputLoss.Logistic, 10.0, DualPreconditioner.None)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy, 10.0, DualPreconditioner.None)]
    public void Dual_direction_equals_the_dense_primal_ggn_direction(OutputLoss loss, double gamma, DualPreconditioner preconditioner)
    {
        var (relative, iterations, m, p) = loss == OutputLoss.Logistic
            ? Compare(ClassificationProblems.Logistic(3), gamma, preconditioner)
            : Compare(ClassificationProblems.Softmax(3), gamma, preconditioner);
        output.WriteLine($"{loss}, γ = {gamma}, preconditioner {preconditioner}: relative difference {relative:E2} after {iterations} dual CG iterations (m = {m}, p = {p})");
        Assert.True(relative <= 1e-9, $"relative difference {relative:E2}");
    }

    // The stacked output gradient g and the dense curvature H (m×m), written out from the logits rather than taken
    // from the problem; checks the problem's g against it.
    private static (double[] G, double[] Curvature) DenseLoss<TModel>(TrainingProblem<TModel> problem, ReadOnlySpan<double> theta) where TModel : IModel<TModel>
    {
        var block = problem.Blocks[0];
        int m = problem.ResidualCount, batch = block.Batch, outputs = m / batch;
        double rootWeight = Math.Sqrt(block.Weight);
        var y = block.Targets!;
        var logits = new double[m];
        problem.Residuals(theta, logits);
        for (int i = 0; i < m; i++)
            logits[i] /= rootWeight;

        var g = new double[m];
        var curvature = new double[m * m];
        for (int s = 0; s < batch; s++)
        {
            var probability = new double[outputs];
            if (block.OutputLoss == OutputLoss.Logistic)
            {
                probability[0] = 1 / (1 + Math.Exp(-logits[s]));
            }
            else
            {
                double max = Enumerable.Range(0, outputs).Max(c => logits[c * batch + s]);
                double sum = Enumerable.Range(0, outputs).Sum(c => Math.Exp(logits[c * batch + s] - max));
                for (int c = 0; c < outputs; c++)
                    probability[c] = Math.Exp(logits[c * batch + s] - max) / sum;
            }
            for (int c = 0; c < outputs; c++)
            {
                int i = c * batch + s;
                g[i] = rootWeight * (probability[c] - y[i]);
                if (block.OutputLoss == OutputLoss.Logistic)
                {
                    curvature[i * m + i] = probability[c] * (1 - probability[c]);
                    continue;
                }
                for (int d = 0; d < outputs; d++)
                    curvature[i * m + d * batch + s] = (c == d ? probability[c] : 0) - probability[c] * probability[d];
            }
        }
        var problemG = new double[m];
        problem.Evaluate(theta, problemG);
        for (int i = 0; i < m; i++)
            Assert.Equal(g[i], problemG[i], 1e-14);
        return (g, curvature);
    }

    // The primal direction −(JᵀHJ + I/γ)⁻¹Jᵀg by Cholesky against the dual CG direction.
    private static (double Relative, int Iterations, int M, int P) Compare<TModel>((TrainingProblem<TModel> Problem, double[] Theta) setup, double gamma,
        DualPreconditioner preconditioner) where TModel : IModel<TModel>
    {
        var (problem, theta) = setup;
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var (g, curvature) = DenseLoss(problem, theta);

        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var hj = new double[m * p];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < m; k++)
                if (curvature[i * m + k] != 0)
                    for (int a = 0; a < p; a++)
                        hj[i * p + a] += curvature[i * m + k] * jacobian[k * p + a];
        var normal = new double[p * p];
        var rhs = new double[p];
        for (int i = 0; i < m; i++)
            for (int a = 0; a < p; a++)
            {
                rhs[a] -= jacobian[i * p + a] * g[i];
                for (int b = 0; b < p; b++)
                    normal[a * p + b] += jacobian[i * p + a] * hj[i * p + b];
            }
        var cholesky = new Cholesky(p);
        Assert.True(cholesky.TryFactor(normal, p, shift: 1 / gamma));
        var primal = new double[p];
        cholesky.Solve(rhs, primal);

        var dual = new double[p];
        var solver = new DualGaussNewton<TModel>(problem);
        solver.Direction(theta, dual, new DualGaussNewtonOptions { Gamma = gamma, RelativeTolerance = 1e-14, Preconditioner = preconditioner });
        Assert.False(solver.LastStoppedForDescent);
        double difference = Math.Sqrt(primal.Zip(dual, (a, b) => (a - b) * (a - b)).Sum());
        return (difference / ClassificationProblems.Norm(primal), solver.LastIterations, m, p);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(100.0)]
    public void Every_dual_cg_iterate_from_zero_descends_on_a_softmax_network(double gamma)
    {
        int iterates = 0;
        double worstCosine = double.NegativeInfinity, worstSlope = double.NegativeInfinity;
        for (int seed = 1; seed <= 6; seed++)
        {
            var (problem, theta) = ClassificationProblems.Softmax(seed, scale: seed <= 3 ? 1 : 2);
            var gradient = ClassificationProblems.Gradient(problem, theta);
            var slopes = new List<double>();
            var solver = new DualGaussNewton<SoftmaxMlp>(problem);
            solver.Direction(theta, new double[problem.ParameterCount], new DualGaussNewtonOptions
            {
                Gamma = gamma,
                RelativeTolerance = 1e-14,
                OnIterate = (_, v) =>
                {
                    double slope = ClassificationProblems.Dot(gradient, v);
                    slopes.Add(slope);
                    worstSlope = Math.Max(worstSlope, slope);
                    worstCosine = Math.Max(worstCosine, slope / (ClassificationProblems.Norm(gradient) * ClassificationProblems.Norm(v)));
                    return true;
                },
            });
            output.WriteLine($"seed {seed}: {slopes.Count} iterates, ∇Lᵀv_k from {slopes.Max():E3} to {slopes.Min():E3}, safeguard {(solver.LastStoppedForDescent ? "TRIGGERED" : "not triggered")}");
            Assert.False(solver.LastStoppedForDescent, $"seed {seed}: iterate {solver.LastIterations + 1} has ∇Lᵀv = {solver.LastRejectedSlope:E3}");
            Assert.True(slopes.Count >= 5);
            Assert.All(slopes, s => Assert.True(s < 0, $"seed {seed}: ∇Lᵀv = {s:E3}"));
            iterates += slopes.Count;
        }
        output.WriteLine($"γ = {gamma}: {iterates} iterates over 6 parameter draws, all descent; worst cos(∇L, v_k) = {worstCosine:F4}, worst slope {worstSlope:E3}");
    }

    [Theory]
    [InlineData(OutputLoss.Logistic)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy)]
    public void The_loss_decreases_along_the_dual_direction(OutputLoss loss)
    {
        // Unit block weights: TrainingProblem.Evaluate currently applies a block's weight w twice to the cost
        // (w²Σℓ) while g and ∇L are those of wΣℓ, so with w ≠ 1 the cost and its gradient disagree.
        if (loss == OutputLoss.Logistic)
            Check(ClassificationProblems.Logistic(5, mean: false));
        else
            Check(ClassificationProblems.Softmax(5, mean: false));

        void Check<TModel>((TrainingProblem<TModel> Problem, double[] Theta) setup) where TModel : IModel<TModel>
        {
            var (problem, theta) = setup;
            var solver = new DualGaussNewton<TModel>(problem);
            var v = new double[problem.ParameterCount];
            double cost = solver.Direction(theta, v);
            var g = new double[problem.ResidualCount];
            Assert.Equal(problem.Evaluate(theta, g), cost);
            double slope = ClassificationProblems.Dot(ClassificationProblems.Gradient(problem, theta), v);

            double At(double t) => problem.Evaluate(theta.Zip(v, (a, b) => a + t * b).ToArray(), g);
            // Central differences: error O(ε²) from the third derivative, O(1e-16/ε) from rounding.
            const double epsilon = 1e-5;
            double centred = (At(epsilon) - At(-epsilon)) / (2 * epsilon);
            output.WriteLine($"{loss}: L = {cost:F6}, ∇Lᵀv = {slope:E6}, central difference {centred:E6}; " +
                $"L(θ + tv) − L(θ) for t = 1e-3, 1e-2, 0.1, 1: {At(1e-3) - cost:E3}, {At(1e-2) - cost:E3}, {At(0.1) - cost:E3}, {At(1) - cost:E3}");
            Assert.True(slope < 0);
            Assert.True(Math.Abs(centred - slope) <= 1e-6 * Math.Abs(slope), $"central difference {centred:E6} vs ∇Lᵀv {slope:E6}");
            foreach (double t in new[] { 1e-3, 1e-2, 1e-1 })
                Assert.True(At(t) < cost, $"L(θ + {t}v) = {At(t):R} ≥ L(θ) = {cost:R}");
        }
    }

    [Fact]
    public void Unpreconditioned_cg_can_ascend_the_safeguard_catches_it_and_the_preconditioned_cg_descends()
    {
        // Logistic regression on two samples, F = w·x, built so that the first plain CG iterate α₁ ∝ Hg ascends:
        // with J the rows x₁ᵀ, x₂ᵀ, ∇Lᵀ(Jᵀα₁) ∝ (g₁x₁ + g₂x₂)·(h₁g₁x₁ + h₂g₂x₂). Sample 1 is confidently
        // wrong (logit 12, label 0: g₁ ≈ 1, h₁ ≈ 6e-6), sample 2 undecided (logit 0, label 1: g₂ = −½,
        // h₂ = ¼), and x₁·x₂ = 5 makes the cross term g₁g₂h₂ x₁·x₂ < 0 dominate.
        double[] inputs = [1.2, 0, 5, 1, 0, 0]; // feature-major: x₁ = (1.2, 5, 0), x₂ = (0, 1, 0)
        var problem = new TrainingProblem<DeepLinear1>(new ResidualBlock(0, inputs, 2, [0.0, 1.0], OutputLoss: OutputLoss.Logistic));
        double[] theta = [10, 0, 0];
        var gradient = ClassificationProblems.Gradient(problem, theta);

        // First iterate by hand: α₁ = (gᵀg / gᵀAg)·Hg with A = H + γHKH, v₁ = −γJᵀα₁.
        double p1 = 1 / (1 + Math.Exp(-12)), g1 = p1, g2 = -0.5, h1 = p1 * (1 - p1), h2 = 0.25;
        double[] x1 = [1.2, 5, 0], x2 = [0, 1, 0];
        double k11 = ClassificationProblems.Dot(x1, x1), k12 = ClassificationProblems.Dot(x1, x2), k22 = ClassificationProblems.Dot(x2, x2);
        const double gamma = 1;
        double hg1 = h1 * g1, hg2 = h2 * g2;
        double gAg = g1 * hg1 + g2 * hg2 + gamma * (hg1 * (k11 * hg1 + k12 * hg2) + hg2 * (k12 * hg1 + k22 * hg2));
        double step = (g1 * g1 + g2 * g2) / gAg;
        var v1 = x1.Zip(x2, (a, b) => -gamma * step * (hg1 * a + hg2 * b)).ToArray();
        double slope1 = ClassificationProblems.Dot(gradient, v1);
        Assert.True(slope1 > 0, $"the constructed first iterate should ascend, ∇Lᵀv₁ = {slope1:E3}");

        var solver = new DualGaussNewton<DeepLinear1>(problem);
        var unguarded = new double[3];
        solver.Direction(theta, unguarded, new DualGaussNewtonOptions { Gamma = gamma, MaxCgIterations = 1, DescentSafeguard = false, Preconditioner = DualPreconditioner.None });
        for (int j = 0; j < 3; j++)
            Assert.Equal(v1[j], unguarded[j], 1e-12 * ClassificationProblems.Norm(v1));

        var guarded = new double[3];
        solver.Direction(theta, guarded, new DualGaussNewtonOptions { Gamma = gamma, Preconditioner = DualPreconditioner.None });
        output.WriteLine($"plain CG: first iterate ∇Lᵀv₁ = {slope1:E3} (by hand), rejected slope {solver.LastRejectedSlope:E3}; returned −γ∇L, slope {ClassificationProblems.Dot(gradient, guarded):E3}");
        Assert.True(solver.LastStoppedForDescent);
        Assert.Equal(0, solver.LastIterations);
        Assert.Equal(slope1, solver.LastRejectedSlope, 1e-12 * Math.Abs(slope1));
        for (int j = 0; j < 3; j++)
            Assert.Equal(-gamma * gradient[j], guarded[j], 1e-15);

        // Preconditioned by H⁺, the first iterate is α₁ ∝ g, i.e. v₁ ∥ −∇L, and every later one descends too.
        var slopes = new List<double>();
        double firstCosine = double.NaN;
        solver.Direction(theta, new double[3], new DualGaussNewtonOptions
        {
            Gamma = gamma,
            RelativeTolerance = 1e-14,
            OnIterate = (k, v) =>
            {
                double slope = ClassificationProblems.Dot(gradient, v);
                if (k == 1)
                    firstCosine = slope / (ClassificationProblems.Norm(gradient) * ClassificationProblems.Norm(v));
                slopes.Add(slope);
                return true;
            },
        });
        output.WriteLine($"preconditioned CG: {slopes.Count} iterates, cos(∇L, v₁) = {firstCosine:R}, slopes {string.Join(", ", slopes.Select(x => x.ToString("E3")))}");
        Assert.False(solver.LastStoppedForDescent);
        Assert.Equal(-1, firstCosine, 1e-12);
        Assert.All(slopes, x => Assert.True(x < 0, $"∇Lᵀv = {x:E3}"));
    }

    [Fact]
    public void With_confident_logits_only_the_preconditioned_iterates_all_descend()
    {
        // θ at 5× its initialisation: confident, often wrong, logits, so H differs by orders of magnitude between
        // outputs. Plain CG on the β-system then produces ascent iterates; CG in the H⁺ metric does not.
        int plainAscents = 0, preconditionedAscents = 0, plainIterates = 0, preconditionedIterates = 0;
        double worstPreconditioned = double.NegativeInfinity;
        for (int seed = 1; seed <= 5; seed++)
        {
            var (problem, theta) = ClassificationProblems.Softmax(seed, scale: 5);
            var gradient = ClassificationProblems.Gradient(problem, theta);
            var solver = new DualGaussNewton<SoftmaxMlp>(problem);
            foreach (var preconditioner in new[] { DualPreconditioner.None, DualPreconditioner.CurvaturePseudoInverse })
            {
                solver.Direction(theta, new double[problem.ParameterCount], new DualGaussNewtonOptions
                {
                    Gamma = 1,
                    RelativeTolerance = 1e-12,
                    MaxCgIterations = 300,
                    DescentSafeguard = false,
                    Preconditioner = preconditioner,
                    OnIterate = (_, v) =>
                    {
                        double slope = ClassificationProblems.Dot(gradient, v);
                        if (preconditioner == DualPreconditioner.None)
                        {
                            plainIterates++;
                            plainAscents += slope >= 0 ? 1 : 0;
                            return true;
                        }
                        preconditionedIterates++;
                        preconditionedAscents += slope >= 0 ? 1 : 0;
                        worstPreconditioned = Math.Max(worstPreconditioned, slope / (ClassificationProblems.Norm(gradient) * ClassificationProblems.Norm(v)));
                        return true;
                    },
                });
            }
        }
        output.WriteLine($"plain CG: {plainAscents} of {plainIterates} iterates ascend; preconditioned: {preconditionedAscents} of {preconditionedIterates} " +
            $"(worst cos(∇L, v_k) = {worstPreconditioned:F4})");
        Assert.Equal(0, preconditionedAscents);
        Assert.True(plainAscents > 0, "the plain β-system was expected to ascend somewhere at these confident logits");
    }

    [Fact]
    public void Preconditioned_cg_iterates_are_the_exact_minimisers_of_the_dual_over_the_krylov_spaces()
    {
        // The descent proof rests on α_k = argmin { D(α) : α ∈ 𝒦_k(I + γHK, g) } with D(α) = ½(α − g)ᵀH⁺(α − g)
        // + (γ/2)αᵀKα. Compute those minimisers densely (Arnoldi basis with double Gram-Schmidt, H⁺ by
        // eigendecomposition) and compare the primal directions −γJᵀα_k with the CG recurrence's.
        const double gamma = 1;
        var (problem, theta) = ClassificationProblems.Softmax(3);
        int m = problem.ResidualCount, p = problem.ParameterCount;
        var (g, curvature) = DenseLoss(problem, theta);
        var jacobian = new double[m * p];
        problem.Jacobian(theta, jacobian);
        var kernel = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                for (int a = 0; a < p; a++)
                    kernel[i * m + j] += jacobian[i * p + a] * jacobian[j * p + a];
        var eigen = new SymmetricEigen(m);
        eigen.Decompose(curvature, m);
        double largest = 0;
        foreach (double value in eigen.Values)
            largest = Math.Max(largest, Math.Abs(value));
        var pseudoInverse = new double[m * m];
        for (int k = 0; k < m; k++)
        {
            double value = eigen.Values[k];
            if (value > 1e-12 * largest)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < m; j++)
                        pseudoInverse[i * m + j] += eigen.Vector(i, k) * eigen.Vector(j, k) / value;
        }
        double[] Times(double[] matrix, double[] x)
        {
            var y = new double[m];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < m; j++)
                    y[i] += matrix[i * m + j] * x[j];
            return y;
        }
        var dualHessian = new double[m * m];
        for (int i = 0; i < m * m; i++)
            dualHessian[i] = pseudoInverse[i] + gamma * kernel[i];
        var pulledG = Times(pseudoInverse, g);

        var recurrence = new List<double[]>();
        var solver = new DualGaussNewton<SoftmaxMlp>(problem);
        solver.Direction(theta, new double[p], new DualGaussNewtonOptions
        {
            Gamma = gamma,
            MaxCgIterations = 12,
            OnIterate = (_, v) => { recurrence.Add(v.ToArray()); return true; },
        });
        Assert.Equal(12, recurrence.Count);

        var basis = new List<double[]> { g.Select(x => x / ClassificationProblems.Norm(g)).ToArray() };
        double worst = 0;
        for (int k = 1; k <= recurrence.Count; k++)
        {
            if (basis.Count < k)
            {
                var next = Times(curvature, Times(kernel, basis[^1]));
                for (int i = 0; i < m; i++)
                    next[i] = basis[^1][i] + gamma * next[i];
                for (int pass = 0; pass < 2; pass++)
                    foreach (var q in basis)
                    {
                        double overlap = ClassificationProblems.Dot(q, next);
                        for (int i = 0; i < m; i++)
                            next[i] -= overlap * q[i];
                    }
                double norm = ClassificationProblems.Norm(next);
                basis.Add(next.Select(x => x / norm).ToArray());
            }
            var projected = new double[k * k];
            var rhs = new double[k];
            for (int a = 0; a < k; a++)
            {
                rhs[a] = ClassificationProblems.Dot(basis[a], pulledG);
                var column = Times(dualHessian, basis[a]);
                for (int b = 0; b < k; b++)
                    projected[b * k + a] = ClassificationProblems.Dot(basis[b], column);
            }
            var cholesky = new Cholesky(k);
            Assert.True(cholesky.TryFactor(projected, k));
            var coefficients = new double[k];
            cholesky.Solve(rhs, coefficients);
            var alpha = new double[m];
            for (int a = 0; a < k; a++)
                for (int i = 0; i < m; i++)
                    alpha[i] += coefficients[a] * basis[a][i];
            var exact = new double[p];
            for (int i = 0; i < m; i++)
                for (int a = 0; a < p; a++)
                    exact[a] -= gamma * jacobian[i * p + a] * alpha[i];
            double relative = ClassificationProblems.Norm(exact.Zip(recurrence[k - 1], (x, y) => x - y).ToArray()) / ClassificationProblems.Norm(exact);
            worst = Math.Max(worst, relative);
            Assert.True(relative <= 1e-8, $"iterate {k}: relative difference {relative:E2}");
        }
        output.WriteLine($"12 CG iterates against the dense Krylov minimisers of the dual: worst relative difference {worst:E2}");
    }

    [Fact]
    public void Robust_losses_are_refused_clearly()
    {
        var problem = new TrainingProblem<DeepLinear1>(new ResidualBlock(0, [1.0, 2, 3], 1, [1.0], Loss: new RobustLoss(RobustLossKind.Cauchy, 1)));
        var error = Assert.Throws<NotSupportedException>(() => new DualGaussNewton<DeepLinear1>(problem));
        Assert.Contains("robust", error.Message);
    }

    [Theory]
    [InlineData(OutputLoss.Logistic)]
    [InlineData(OutputLoss.SoftmaxCrossEntropy)]
    public void Computing_a_classification_direction_allocates_nothing_after_warm_up(OutputLoss loss)
    {
        long allocated = loss == OutputLoss.Logistic ? Measure(ClassificationProblems.Logistic(2)) : Measure(ClassificationProblems.Softmax(2));
        Assert.Equal(0, allocated);

        static long Measure<TModel>((TrainingProblem<TModel> Problem, double[] Theta) setup) where TModel : IModel<TModel>
        {
            var (problem, theta) = setup;
            var solver = new DualGaussNewton<TModel>(problem, new DualGaussNewtonOptions { MaxCgIterations = 30 });
            var direction = new double[problem.ParameterCount];
            for (int i = 0; i < 3; i++)
                solver.Direction(theta, direction);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++)
                solver.Direction(theta, direction);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
