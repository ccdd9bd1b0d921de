using Microsoft.CodeAnalysis;

namespace NGGen.Generators.Tests;

/// <summary>Every construct outside the model language gets its NGG id at the offending line, and the
/// generator never throws. In each case the line marked <c>// here</c> is where the diagnostic must be.</summary>
public class DiagnosticTests
{
    private const string Header = """
        using System;
        using NGGen;
        using static NGGen.Ops;
        namespace Cases;
        """;

    public static TheoryData<string, string, string> Cases => new()
    {
        { "while loop", "NGG0002", Scalar("""
            double s = 0;
            while (s < 1) // here
                s += x;
            return s;
            """) },
        { "try statement", "NGG0002", Scalar("""
            try // here
            {
                return x;
            }
            catch (Exception) { return 0; }
            """) },
        { "lambda", "NGG0014", Scalar("""
            Func<double, double> f = t => t * t; // here
            return f(x);
            """) },
        { "unknown method", "NGG0005", Scalar("""
            return Helpers.Scale(x); // here
            """) },
        { "dynamic shape", "NGG0016", Scalar("""
            var v = new Vec(3); // here
            return v[0] * x;
            """) },
        { "non-constant loop bound", "NGG0003", Scalar("""
            double s = 0;
            int n = 3;
            for (int i = 0; i < n * x; i++) // here
                s += x;
            return s;
            """) },
        { "ref local", "NGG0013", Scalar("""
            ref double r = ref x; // here
            return r;
            """) },
        { "string", "NGG0015", Scalar("""
            var label = "loss"; // here
            return x;
            """) },
        { "unsupported Math function", "NGG0006", Scalar("""
            return Math.Round(x) * a; // here
            """) },
        { "unsupported parameter type", "NGG0007", """
            [Model]
            public static partial class M
            {
                [Forward]
                static double F(int n, [Param] double a) => a * n; // here
            }
            """ },
        { "class not partial", "NGG0001", """
            [Model]
            public class M // here
            {
                [Forward]
                static double F(double x, [Param] double a) => a * x;
            }
            """ },
        { "recursion", "NGG0011", """
            [Model]
            public static partial class M
            {
                [Forward]
                static double F(double x, [Param] double a) => G(x) * a;

                static double G(double x) => G(x) + 1; // here
            }
            """ },
        { "missing parameter shape", "NGG0008", """
            [Model]
            public partial class M
            {
                [Param] Vec b = null!; // here

                [Forward]
                double F(double x) => x;
            }
            """ },
        { "shape mismatch", "NGG0009", """
            [Model]
            public partial class M
            {
                [Param(3, 2)] Mat W = null!;
                [Param(4)] Vec b = null!;

                [Forward]
                Vec F([Shape(2)] Vec x) => W * x + b; // here
            }
            """ },
        { "condition on a model value", "NGG0017", Scalar("""
            if (x > 0) // here
                return x;
            return -x;
            """) },
        { "index out of range", "NGG0010", """
            [Model]
            public partial class M
            {
                [Param(3)] Vec b = null!;

                [Forward]
                double F(double x) => b[5] * x; // here
            }
            """ },
        { "empty slice", "NGG0010", """
            [Model]
            public partial class M
            {
                [Param(3)] Vec b = null!;

                [Forward]
                double F(double x) => Ops.Sum(b[2..2]) * x; // here
            }
            """ },
        { "assignment to a field", "NGG0020", """
            [Model]
            public partial class M
            {
                [Param(3)] Vec b = null!;

                [Forward]
                double F(double x)
                {
                    b = b * 2; // here
                    return x;
                }
            }
            """ },
        { "no model functions", "NGG0012", """
            [Model]
            public partial class M // here
            {
                [Param(3)] Vec b = null!;
            }
            """ },
        { "differential operator on a non-method", "NGG0018", """
            [Model]
            public partial class M
            {
                [Param(2)] Vec w = null!;

                [Forward]
                double F([Shape(2)] Vec x) => Laplacian(x, x) + Dot(w, x); // here
            }
            """ },
    };

    /// <summary>A scalar model whose function body is <paramref name="body"/>.</summary>
    private static string Scalar(string body) => $$"""
        public static class Helpers { public static double Scale(double v) => 2 * v; }

        [Model]
        public static partial class M
        {
            [Forward]
            static double F(double x, [Param] double a)
            {
        {{string.Join("\n", body.Split('\n').Select(l => "        " + l))}}
            }
        }
        """;

    [Theory, MemberData(nameof(Cases))]
    public void Construct_outside_the_language_reports_its_id_at_the_marked_line(string construct, string id, string model)
    {
        string source = Header + "\n" + model;
        int expectedLine = source.Split('\n').Select((line, index) => (line, index)).Single(l => l.line.Contains("// here")).index;

        var (result, _) = GeneratorHarness.Run(source);
        var diagnostics = GeneratorHarness.GeneratorDiagnostics(result);

        var match = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(match.Count > 0, $"{construct}: expected {id}, got [{string.Join(", ", diagnostics.Select(d => d.Id + " " + d.GetMessage()))}]");
        Assert.Contains(match, d => d.Location.GetLineSpan().StartLinePosition.Line == expectedLine);
        Assert.All(match, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.All(match, d => Assert.False(string.IsNullOrWhiteSpace(d.GetMessage())));
    }

    [Fact]
    public void Valid_model_produces_no_diagnostics_and_compiles()
    {
        var (result, output) = GeneratorHarness.Run(Header + "\n" + """
            [Model]
            public partial class M
            {
                [Param(4, 2)] Mat W = null!;
                [Param(4)] Vec b = null!;

                [Forward] double F(Vec x) => Sum(Tanh(W * x + b));
            }
            """);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    // A function that uses none of the parameters (a residual fixed by the data) differentiates to zero; it used to
    // stop the generator with NGG0019 "Sequence contains no elements" (found in review, thirteenth session).
    [Fact]
    public void Function_using_no_parameter_produces_no_diagnostics_and_compiles()
    {
        var (result, output) = GeneratorHarness.Run(Header + "\n" + """
            [Model]
            public partial class M
            {
                [Param(2)] Vec b = null!;

                [Forward] Vec F(Vec x) => b + Tanh(x);
                [Residual] Vec Fixed(Vec x) => x[1] - Tanh(x);
            }
            """);
        Assert.Empty(GeneratorHarness.GeneratorDiagnostics(result));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }
}
