using System.Text.RegularExpressions;

namespace NGGen.Generators.Tests;

/// <summary>
/// Which products the generated C# runs beside the product after it (Batched.MatMulBeside): a weight gradient, which
/// writes only the caller's gradient, next to the input cotangent that follows it, and never two products that both
/// touch the gradient.
/// </summary>
public class ProductPairsTests
{
    private const string ThreeLayers = """
        using NGGen;
        using static NGGen.Ops;
        namespace Pairs;

        [Model]
        public partial class ThreeLayers
        {
            [Param(16, 4)] Mat W1 = null!;
            [Param(16)] Vec b1 = null!;
            [Param(16, 16)] Mat W2 = null!;
            [Param(16)] Vec b2 = null!;
            [Param(3, 16)] Mat W3 = null!;

            [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2);
        }
        """;

    // Both products are weight gradients of the same input: the second writes the gradient too.
    private const string TwoWeightsOneInput = """
        using NGGen;
        using static NGGen.Ops;
        namespace Pairs;

        [Model]
        public partial class TwoWeightsOneInput
        {
            [Param(5, 4)] Mat A = null!;
            [Param(5, 4)] Mat B = null!;

            [Forward] Vec Predict(Vec x) => A * x + Tanh(B * x);
        }
        """;

    [Fact]
    public void Each_weight_gradient_with_a_product_after_it_runs_beside_that_product()
    {
        string text = GeneratorHarness.GenerateOne(ThreeLayers);
        // Layers 3 and 2: dW beside the input cotangent Wᵀ·D (with its tanh′ epilogue at layer 2); layer 1's weight
        // gradient is the last product and runs alone.
        string linearizedVjp = GeneratorHarness.Method(text, "LinearizedVjpPredict");
        Assert.Equal(2, Regex.Count(linearizedVjp, @"Batched\.MatMulBeside\("));
        Assert.Equal(1, Regex.Count(linearizedVjp, @"Batched\.MatMul\("));
        Assert.Equal(2, Regex.Count(GeneratorHarness.Method(text, "VjpPredict"), @"Batched\.MatMulBeside\("));
        // Forward passes have no gradient to write.
        Assert.DoesNotContain("MatMulBeside", GeneratorHarness.Method(text, "ForwardPredict"));
    }

    [Fact]
    public void Two_products_that_both_write_the_gradient_run_one_after_the_other()
    {
        string text = GeneratorHarness.GenerateOne(TwoWeightsOneInput);
        Assert.Equal(2, Regex.Count(GeneratorHarness.Method(text, "LinearizedVjpPredict"), @"Batched\.MatMul\("));
        Assert.DoesNotContain("MatMulBeside", text);
    }
}
