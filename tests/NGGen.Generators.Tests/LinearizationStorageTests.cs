using System.Text.RegularExpressions;

namespace NGGen.Generators.Tests;

/// <summary>
/// What Linearize keeps for the linearized products: the primal values they read, except cheap ones (sums,
/// differences, products, negations) over at most one kept value, which they recompute where they read them.
/// </summary>
public class LinearizationStorageTests
{
    // Each tanh layer's derivative 1 − h·h is recomputed from h, which the weight gradient of the next layer reads.
    private const string TwoTanhLayers = """
        using NGGen;
        using static NGGen.Ops;
        namespace Storage;

        [Model]
        public partial class TwoTanhLayers
        {
            [Param(5, 3)] Mat W1 = null!;
            [Param(4, 5)] Mat W2 = null!;
            [Param(2, 4)] Mat W3 = null!;

            [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x));
        }
        """;

    // q = t1·t2 is read by d(q·t3) = dq·t3 + q·dt3 and is a product of two kept values (dq = dt1·t2 + t1·dt2 reads
    // both): recomputing it would read two arrays where one is read, so it is kept.
    private const string ProductOfTwoKeptValues = """
        using NGGen;
        using static NGGen.Ops;
        namespace Storage;

        [Model]
        public partial class ProductOfTwoKeptValues
        {
            [Param(3, 3)] Mat A = null!;
            [Param(3, 3)] Mat B = null!;
            [Param(3, 3)] Mat D = null!;
            [Param(2, 3)] Mat C = null!;

            [Forward] Vec Predict(Vec x) => C * (Tanh(A * x) * Tanh(B * x) * Tanh(D * x));
        }
        """;

    [Fact]
    public void A_tanh_layer_keeps_its_output_only()
    {
        string text = GeneratorHarness.GenerateOne(TwoTanhLayers);
        // h1 (5 rows) and h2 (4 rows); 1 − h·h is not kept.
        Assert.Matches(new Regex(@"LinearizationLength\(int function, int batch\) => function switch\s*\{\s*0 => 9 \* batch \+ 0,"), text);
        // Both linearized products compute 1 − h·h in their fused loops; Linearize no longer does.
        Assert.Contains("T.CreateTruncating(1.0)", FusedLoops(text, "LinearizedJvpPredict"));
        Assert.Contains("T.CreateTruncating(1.0)", FusedLoops(text, "LinearizedVjpPredict"));
        Assert.DoesNotContain("T.CreateTruncating(1.0)", FusedLoops(text, "LinearizePredict"));
    }

    [Fact]
    public void A_value_over_two_kept_values_is_kept_itself()
    {
        string text = GeneratorHarness.GenerateOne(ProductOfTwoKeptValues);
        // t1, t2, t3, q and q·t3 (which C's weight gradient reads), 3 rows each; the three 1 − t·t are recomputed.
        Assert.Matches(new Regex(@"LinearizationLength\(int function, int batch\) => function switch\s*\{\s*0 => 15 \* batch \+ 0,"), text);
    }

    // The bodies of the fused loops generated for method `name` (types `{name}Fused{id}<T>`), each up to the next type.
    private static string FusedLoops(string text, string name)
    {
        var bodies = Regex.Matches(text, $@"private ref struct {name}Fused\d+<T>.*?(?=private ref struct |\z)", RegexOptions.Singleline);
        Assert.NotEmpty(bodies);
        return string.Concat(bodies.Select(m => m.Value));
    }
}
