using NGGen.Checking;
using NGGen.Tests.Models;

namespace NGGen.Tests.Generated;

/// <summary>Generated Forward/JVP/VJP of the composite models against independent references.</summary>
public class CompositeModelTests(ITestOutputHelper output)
{
    public static TheoryData<string, int> Batches => new() { { "small", 7 }, { "chunked", 1100 } };

    /// <summary>Checks every function of a model. Functions named in <paramref name="finiteDifferenceOracle"/>
    /// apply Grad/Jacobian/Laplacian/Derivative, whose eager oracle is a fourth-order finite difference
    /// (≈1e-10), so their forward check uses 1e-7; their exact values are checked in closed form below.</summary>
    private void CheckAll<TModel>(int batch, int seed, double inputLow = -1, double inputHigh = 1, params string[] finiteDifferenceOracle) where TModel : IModel<TModel>
    {
        var random = new Random(seed);
        for (int f = 0; f < TModel.Functions.Count; f++)
        {
            var theta = GradientChecker.RandomParameters<TModel>(random);
            var inputs = GradientChecker.RandomInputs<TModel>(random, f, batch, inputLow, inputHigh);
            var tangent = GradientChecker.RandomVector(random, TModel.ParameterCount);
            var cotangent = GradientChecker.RandomVector(random, TModel.Functions[f].OutputSize * batch);
            string name = $"{TModel.Name}.{TModel.Functions[f].Name}";

            double forward = GradientChecker.ForwardVsReference<TModel>(f, theta, inputs, batch);
            bool usesFiniteDifferenceOracle = finiteDifferenceOracle.Contains(TModel.Functions[f].Name);
            Assert.True(forward <= (usesFiniteDifferenceOracle ? 1e-7 : 1e-12), $"{name}: forward vs eager reference {forward:E2}");

            bool nonsmooth = TModel.Functions[f].Name is "AbsOp" or "ReluOp";
            double jvp = GradientChecker.JvpVsCentralDifferences<TModel>(f, theta, inputs, batch, tangent, nonsmooth);
            Assert.True(jvp <= 1e-7, $"{name}: JVP vs central differences {jvp:E2}");

            double dot = GradientChecker.DotProductTest<TModel>(f, theta, inputs, batch, tangent, cotangent);
            Assert.True(dot <= 1e-12, $"{name}: dot-product test {dot:E2}");

            double single = GradientChecker.FloatVsDouble<TModel>(f, theta, inputs, batch, tangent, cotangent);
            Assert.True(single <= 1e-4, $"{name}: float vs double {single:E2}");

            double linearized = GradientChecker.LinearizedVsDirect<TModel>(f, theta, inputs, batch, tangent, cotangent);
            Assert.True(linearized <= 1e-12, $"{name}: linearized vs direct {linearized:E2}");

            double onto = OverwriteAgainstAccumulate<TModel>(f, theta, inputs, batch, cotangent, random);
            Assert.True(onto <= 1e-12, $"{name}: accumulating onto a gradient vs overwriting it {onto:E2}");
            output.WriteLine($"{name} batch {batch}: forward {forward:E2}, jvp-fd {jvp:E2}, dot {dot:E2}, float {single:E2}, linearized {linearized:E2}, accumulate-overwrite {onto:E2}");
        }
    }

    /// <summary>
    /// Both VJPs (direct and linearized) with <see cref="GradientWrite.Overwrite"/> into a gradient full of NaN must
    /// equal, value for value, the accumulating form into zeros: every entry is written (zeros where the function does
    /// not depend on a parameter), and nothing old is read. Accumulating onto a random gradient g₀ must give g₀ plus
    /// that; returns the largest difference of the latter relative to the gradient's size.
    /// </summary>
    private static double OverwriteAgainstAccumulate<TModel>(int f, double[] theta, double[] inputs, int batch, double[] cotangent, Random random)
        where TModel : IModel<TModel>
    {
        int p = TModel.ParameterCount;
        var workspace = new double[Enum.GetValues<EvaluationKind>().Max(k => TModel.WorkspaceLength(f, k, batch))];
        var linearization = new double[TModel.LinearizationLength(f, batch)];
        TModel.Linearize<double>(f, theta, inputs, batch, linearization, new double[TModel.Functions[f].OutputSize * batch], workspace);
        var start = GradientChecker.RandomVector(random, p);
        double worst = 0;
        foreach (bool linearized in new[] { false, true })
        {
            void Run(double[] gradient, GradientWrite write)
            {
                if (linearized)
                    TModel.LinearizedVjp<double>(f, theta, inputs, batch, linearization, cotangent, gradient, workspace, write);
                else
                    TModel.Vjp<double>(f, theta, inputs, batch, cotangent, gradient, workspace, write);
            }

            var intoZeros = new double[p];
            Run(intoZeros, GradientWrite.Accumulate);
            var overwritten = Enumerable.Repeat(double.NaN, p).ToArray();
            Run(overwritten, GradientWrite.Overwrite);
            for (int i = 0; i < p; i++)
                Assert.True(overwritten[i] == intoZeros[i], $"{TModel.Name}.{TModel.Functions[f].Name}: {(linearized ? "linearized " : "")}VJP entry {i} overwritten {overwritten[i]} but accumulated into zeros {intoZeros[i]}");

            var onto = (double[])start.Clone();
            Run(onto, GradientWrite.Accumulate);
            double scale = Math.Max(1e-300, intoZeros.Max(Math.Abs) + start.Max(Math.Abs));
            for (int i = 0; i < p; i++)
                worst = Math.Max(worst, Math.Abs(onto[i] - (start[i] + overwritten[i])) / scale);
        }
        return worst;
    }

    [Fact]
    public void A_gradient_write_outside_the_enum_is_refused()
    {
        var gradient = new double[Mlp3.ParameterCount];
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => Mlp3.Vjp<double>(0, new double[Mlp3.ParameterCount],
            new double[Mlp3.Functions[0].InputSize], 1, new double[Mlp3.Functions[0].OutputSize], gradient,
            new double[Mlp3.WorkspaceLength(0, EvaluationKind.Vjp, 1)], (GradientWrite)7));
        Assert.Equal("write", exception.ParamName);
    }

    [Theory, MemberData(nameof(Batches))]
    public void Exponential_curve(string _, int batch) => CheckAll<Exponential.Compiled>(batch, 1, 0, 3);

    [Theory, MemberData(nameof(Batches))]
    public void Rat43_curve(string _, int batch) => CheckAll<Rat43.Compiled>(batch, 2, 0, 3);

    [Theory, MemberData(nameof(Batches))]
    public void Poisson_pinn_with_laplacian(string _, int batch) => CheckAll<PoissonNet>(batch, 3, -1, 1, "Interior");

    [Theory, MemberData(nameof(Batches))]
    public void Three_layer_mlp(string _, int batch) => CheckAll<Mlp3>(batch, 4);

    // At a batch of 32 the product reads op(B) in place, so a loop writing over B's storage would corrupt the rows
    // still to be read; at 1100 it is split by columns over two column blocks.
    [Theory]
    [InlineData(7)]
    [InlineData(32)]
    [InlineData(1100)]
    public void Wide_mlp_with_gemm_epilogues(int batch) => CheckAll<WideMlp>(batch, 10);

    [Theory, MemberData(nameof(Batches))]
    public void Recurrent_model_with_loop(string _, int batch) => CheckAll<Recurrent>(batch, 5);

    [Theory, MemberData(nameof(Batches))]
    public void Model_calling_other_methods(string _, int batch) => CheckAll<TwoLayerWithHelper>(batch, 6);

    [Theory, MemberData(nameof(Batches))]
    public void Every_primitive(string _, int batch) => CheckAll<PrimitiveZoo>(batch, 7, -1, 1, "GradOp", "JacobianOp", "DerivativeOp");

    [Theory, MemberData(nameof(Batches))]
    public void Laplacian_probe(string _, int batch) => CheckAll<LaplacianProbe>(batch, 8, -1, 1, "LaplacianOfU", "GradientOfU");

    [Fact]
    public void Float_signature_model()
    {
        // The user's source is single precision, so the eager oracle is float-accurate only; the
        // generated double code is checked against it at float tolerance, and fully by FD and dot test.
        var random = new Random(9);
        var theta = GradientChecker.RandomParameters<FloatDecay.Compiled>(random);
        var inputs = GradientChecker.RandomInputs<FloatDecay.Compiled>(random, 0, 33, 0, 4);
        Assert.True(GradientChecker.ForwardVsReference<FloatDecay.Compiled>(0, theta, inputs, 33) <= 1e-6);
        Assert.True(GradientChecker.JvpVsCentralDifferences<FloatDecay.Compiled>(0, theta, inputs, 33, GradientChecker.RandomVector(random, 3)) <= 1e-7);
        Assert.True(GradientChecker.DotProductTest<FloatDecay.Compiled>(0, theta, inputs, 33, GradientChecker.RandomVector(random, 3), GradientChecker.RandomVector(random, 33)) <= 1e-12);
    }
}
