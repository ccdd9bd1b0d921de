using NGGen.Solvers;

namespace NGGen.Samples.PinnPoisson;

/// <summary>The paper's three problems as collocation sets. Every block's weight is 1/(its points), so the loss is
/// Σ_blocks ½·mean(r²): the paper's mean-squared residuals (up to the factor ½, which no solver here depends on
/// except through the step size of Adam and gradient descent).</summary>
public static class PinnSetups
{
    /// <summary>2D Poisson: a grid×grid grid on [0, 1]² (the paper: 30, giving 784 interior and 116 boundary
    /// points); error on a test×test grid.</summary>
    public static PinnSetup<Poisson2D> Poisson2D(int grid, int test)
    {
        RequireAtLeast(grid, 3, nameof(grid));
        RequireAtLeast(test, 2, nameof(test));
        var interior = new List<double[]>();
        var boundary = new List<double[]>();
        foreach (var p in Grid(grid))
            (p[0] == 0 || p[1] == 0 || p[0] == 1 || p[1] == 1 ? boundary : interior).Add(p);
        var testPoints = Grid(test);
        return new PinnSetup<Poisson2D>("2D Poisson",
            [
                new ResidualBlock(PinnPoisson.Poisson2D.InteriorFunction, FeatureMajor(interior, 2), interior.Count, Weight: 1.0 / interior.Count),
                new ResidualBlock(PinnPoisson.Poisson2D.BoundaryFunction, FeatureMajor(boundary, 2), boundary.Count, Weight: 1.0 / boundary.Count),
            ],
            PinnPoisson.Poisson2D.UFunction, FeatureMajor(testPoints, 2),
            testPoints.Select(p => Math.Sin(Math.PI * p[0]) * Math.Sin(Math.PI * p[1])).ToArray());
    }

    /// <summary>5D Poisson: uniform random points in [0, 1]⁵ and on its boundary (a random face, then uniform on it),
    /// fixed for the run (the paper redraws 4000 + 500 points every iteration); error on <paramref name="test"/>
    /// further random points.</summary>
    public static PinnSetup<TModel> Poisson5D<TModel>(int interior, int boundary, int test, int seed) where TModel : IModel<TModel>
    {
        RequireAtLeast(interior, 1, nameof(interior));
        RequireAtLeast(boundary, 1, nameof(boundary));
        RequireAtLeast(test, 1, nameof(test));
        const int d = 5;
        var random = new Random(seed);
        List<double[]> Uniform(int n) => Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ => random.NextDouble()).ToArray()).ToList();
        var inside = Uniform(interior);
        var faces = Uniform(boundary);
        foreach (var p in faces)
        {
            int face = random.Next(2 * d);
            p[face / 2] = face % 2;
        }
        var testPoints = Uniform(test);
        return new PinnSetup<TModel>("5D Poisson",
            [
                new ResidualBlock(FunctionId<TModel>("Interior", d, 1), FeatureMajor(inside, d), interior, Weight: 1.0 / interior),
                new ResidualBlock(FunctionId<TModel>("Boundary", d, 1), FeatureMajor(faces, d), boundary, Weight: 1.0 / boundary),
            ],
            FunctionId<TModel>("U", d, 1), FeatureMajor(testPoints, d),
            testPoints.Select(Exact5D).ToArray());
    }

    /// <summary>The 5D exact solution u*(x) = Σᵢ sin(πxᵢ).</summary>
    public static double Exact5D(double[] x) => x.Sum(v => Math.Sin(Math.PI * v));

    /// <summary>Heat equation: a grid×grid grid on (t, x) ∈ [0, 1]² for the PDE residual, grid points on t = 0 for the
    /// initial condition and grid points on each of x = 0 and x = 1 (the paper: 30 each); error on a test×test grid.</summary>
    public static PinnSetup<TModel> Heat<TModel>(int grid, int test) where TModel : IModel<TModel>
    {
        RequireAtLeast(grid, 2, nameof(grid));
        RequireAtLeast(test, 2, nameof(test));
        var line = Enumerable.Range(0, grid).Select(i => i / (grid - 1.0)).ToArray();
        var interior = Grid(grid);
        var initial = line.Select(x => new[] { 0.0, x }).ToList();
        var sides = line.Select(t => new[] { t, 0.0 }).Concat(line.Select(t => new[] { t, 1.0 })).ToList();
        var testPoints = Grid(test);
        return new PinnSetup<TModel>("Heat 1D",
            [
                new ResidualBlock(FunctionId<TModel>("Interior", 2, 1), FeatureMajor(interior, 2), interior.Count, Weight: 1.0 / interior.Count),
                new ResidualBlock(FunctionId<TModel>("Initial", 2, 1), FeatureMajor(initial, 2), initial.Count, Weight: 1.0 / initial.Count),
                // The paper averages each side separately and adds the two means: weight 1/grid on the union.
                new ResidualBlock(FunctionId<TModel>("Boundary", 2, 1), FeatureMajor(sides, 2), sides.Count, Weight: 1.0 / grid),
            ],
            FunctionId<TModel>("U", 2, 1), FeatureMajor(testPoints, 2),
            testPoints.Select(p => ExactHeat(p[0], p[1])).ToArray());
    }

    /// <summary>The heat equation's exact solution u*(t, x) = e^(−π²t/4) sin(πx).</summary>
    public static double ExactHeat(double t, double x) => Math.Exp(-Math.PI * Math.PI * t / 4) * Math.Sin(Math.PI * x);

    /// <summary>The id of <typeparamref name="TModel"/>'s function <paramref name="name"/>, checked to map
    /// <paramref name="inputs"/> inputs to <paramref name="outputs"/> outputs.</summary>
    public static int FunctionId<TModel>(string name, int inputs, int outputs) where TModel : IModel<TModel>
    {
        for (int i = 0; i < TModel.Functions.Count; i++)
        {
            var f = TModel.Functions[i];
            if (f.Name != name)
                continue;
            if (f.InputSize != inputs || f.OutputSize != outputs)
                throw new ArgumentException($"{TModel.Name}.{name} maps {f.InputSize} inputs to {f.OutputSize} outputs; this problem needs {inputs} to {outputs}.");
            return i;
        }
        throw new ArgumentException($"{TModel.Name} has no function '{name}'; this problem needs U, Interior and Boundary (and Initial for the heat equation).");
    }

    private static List<double[]> Grid(int n)
    {
        var points = new List<double[]>(n * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                points.Add([i / (n - 1.0), j / (n - 1.0)]);
        return points;
    }

    private static double[] FeatureMajor(List<double[]> points, int dimension)
    {
        var values = new double[dimension * points.Count];
        for (int s = 0; s < points.Count; s++)
            for (int i = 0; i < dimension; i++)
                values[i * points.Count + s] = points[s][i];
        return values;
    }

    private static void RequireAtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}.");
    }
}
