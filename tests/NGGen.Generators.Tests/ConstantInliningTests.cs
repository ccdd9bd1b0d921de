using System.Text.RegularExpressions;

namespace NGGen.Generators.Tests;

/// <summary>
/// Scalar constants read only by elementwise code are written into that code as literals (C# and CUDA C): they take
/// no workspace and no load per call, which on the device was a kernel launch. Constants of more than one entry
/// are still loaded into the workspace.
/// </summary>
public class ConstantInliningTests
{
    // tanh′ = 1 − h·h brings the constant 1; the model adds 2.5 of its own.
    private const string ScalarConstants = """
        using NGGen;
        using static NGGen.Ops;
        namespace Inlining;

        [Model]
        public partial class ScalarConstants
        {
            [Param(4, 3)] Mat W = null!;

            [Forward] Vec Predict(Vec x) => Tanh(W * x) * 2.5;
        }
        """;

    // The tangent of Concat(W·x, x) holds zeros for x's three entries, which no parameter moves: a constant of three
    // entries, read by the concatenation.
    private const string VectorConstant = """
        using NGGen;
        using static NGGen.Ops;
        namespace Inlining;

        [Model]
        public partial class VectorConstant
        {
            [Param(2, 3)] Mat W = null!;

            [Forward] Vec Predict(Vec x) => Concat(W * x, x);
        }
        """;

    [Fact]
    public void Scalar_constants_are_literals_in_the_code_that_reads_them()
    {
        string text = GeneratorHarness.GenerateOne(ScalarConstants);
        Assert.DoesNotContain("LoadConstants", text);
        Assert.DoesNotContain("_load", text);
        Assert.Contains("T.CreateTruncating(2.5)", text);
        Assert.Contains("T.CreateTruncating(1.0)", text);
        Assert.Contains("((NGGEN_T)2.5)", text);
        Assert.Contains("((NGGEN_T)1.0)", text);
    }

    [Fact]
    public void A_constant_of_several_entries_is_loaded_into_the_workspace()
    {
        string text = GeneratorHarness.GenerateOne(VectorConstant);
        Assert.Matches(new Regex(@"LoadConstants\(s_\w+Const\d+, v\d+\)"), text);
        Assert.Matches(new Regex(@"runner\.Kernel\(""\w+_load"", 3L\)"), text);
    }
}
