using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using NGGen.Samples;

namespace NGGen.Samples.Tests;

public class SampleKitTests
{
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void MarkersLandWhereTheAxisBoundsPutThem()
    {
        // With fixed bounds the pixel of a point is fixed by the layout constants alone.
        var plot = new LinePlot("t", "x", "y") { XMin = 0, XMax = 10, YMin = -1, YMax = 1 };
        plot.Add("points", [2.5, 10], [0.5, -1], SeriesStyle.Markers);
        var circles = XDocument.Parse(plot.ToSvg()).Descendants(s_svg + "circle").ToList();
        double plotWidth = LinePlot.Width - LinePlot.MarginLeft - LinePlot.MarginRight;
        double plotHeight = LinePlot.Height - LinePlot.MarginTop - LinePlot.MarginBottom;
        // Two data markers plus one legend marker.
        Assert.Equal(3, circles.Count);
        Assert.Equal(LinePlot.MarginLeft + 0.25 * plotWidth, Attr(circles[0], "cx"), 2);
        Assert.Equal(LinePlot.MarginTop + 0.25 * plotHeight, Attr(circles[0], "cy"), 2);
        Assert.Equal(LinePlot.MarginLeft + plotWidth, Attr(circles[1], "cx"), 2);
        Assert.Equal(LinePlot.MarginTop + plotHeight, Attr(circles[1], "cy"), 2);
    }

    [Fact]
    public void LogAxisFitsDecadesAndPlacesThemEvenly()
    {
        var plot = new LinePlot("t", "x", "y") { YScale = AxisScale.Log };
        plot.Add("s", [0, 1, 2], [3e-7, 2e-3, 0.5]);
        var (_, y) = plot.Axes();
        Assert.Equal(1e-7, y.Min, 1e-20);
        Assert.Equal(1.0, y.Max, 1e-12);
        Assert.Equal(8, y.Ticks.Length);
        Assert.Equal(0.5, y.Fraction(Math.Pow(10, -3.5)), 12);
        Assert.Contains(">1e-3<", plot.ToSvg());
    }

    [Fact]
    public void LinearTicksAreOneTwoFiveStepsCoveringTheData()
    {
        var axis = Axis.Fit(AxisScale.Linear, [0.13, 8.7], null, null);
        Assert.Equal(0, axis.Min);
        Assert.Equal(10, axis.Max);
        Assert.Equal([0.0, 2, 4, 6, 8, 10], axis.Ticks);
    }

    [Fact]
    public void NonFiniteAndNonPositivePointsBreakTheLine()
    {
        var plot = new LinePlot("t", "x", "y") { YScale = AxisScale.Log };
        plot.Add("s", [0, 1, 2, 3, 4, 5], [1, 2, double.NaN, 3, 0, 4]);
        var lines = XDocument.Parse(plot.ToSvg()).Descendants(s_svg + "polyline").ToList();
        // Segments {0,1}, {3}, {5}: one polyline, two lone points drawn as markers.
        Assert.Single(lines);
        Assert.Equal(2, lines[0].Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal(2, XDocument.Parse(plot.ToSvg()).Descendants(s_svg + "circle").Count());
    }

    [Fact]
    public void TextIsEscapedAndTheGridIsOneDocument()
    {
        var a = new LinePlot("a < b & c", "x", "y").Add("s", [0, 1], [0, 1]);
        var b = new LinePlot("b", "x", "y").Add("s", [0, 1], [1, 0]);
        var doc = XDocument.Parse(PlotGrid.ToSvg([a, b, a], columns: 2, title: "grid"));
        Assert.Equal(2 * LinePlot.Width, Attr(doc.Root!, "width"));
        Assert.Equal(34 + 2 * LinePlot.Height, Attr(doc.Root!, "height"));
        Assert.Contains(doc.Descendants(s_svg + "text"), t => t.Value == "a < b & c");
    }

    [Fact]
    public void TheLegendAvoidsTheCornerWhereTheDataAre()
    {
        // Points only in the top-right corner: the legend must move to the top-left (the next corner in order).
        var plot = new LinePlot("t", "x", "y") { XMin = 0, XMax = 1, YMin = 0, YMax = 1 };
        plot.Add("cluster", [0.9, 0.95, 0.97, 1.0], [0.9, 0.95, 0.97, 1.0], SeriesStyle.Markers);
        var legendBox = XDocument.Parse(plot.ToSvg()).Descendants(s_svg + "rect").Single(r => r.Attribute("fill-opacity") is not null);
        Assert.Equal(LinePlot.MarginLeft + 8, Attr(legendBox, "x"), 2);
        Assert.Equal(LinePlot.MarginTop + 8, Attr(legendBox, "y"), 2);
    }

    [Fact]
    public void MismatchedSeriesLengthsAreRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => new LinePlot("t", "x", "y").Add("loss", [1, 2], [1]));
        Assert.Contains("'loss'", e.Message);
    }

    [Fact]
    public void TableAlignsColumnsAndRefusesRaggedRows()
    {
        var table = new TextTable("solver", "error").AddRow("ENGD", TextTable.Sci(2.2e-7)).AddRow("Adam", TextTable.Sci(double.NaN));
        var lines = table.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("solver     error", lines[0]);
        Assert.Equal("ENGD    2.20E-07", lines[2]);
        Assert.Equal("Adam           —", lines[3]);
        Assert.Throws<ArgumentException>(() => table.AddRow("only one"));
    }

    [Fact]
    public void OptionsParseAndBadArgumentsNameTheProblem()
    {
        var ok = SampleOptions.Parse("Demo", ["--full", "--json", "a.json", "--seed", "7"], TextWriter.Null)!;
        Assert.True(ok.Full);
        Assert.Equal("a.json", ok.JsonPath);
        Assert.Equal(7, ok.Seed);
        Assert.Equal(Path.Combine("out", "Demo"), ok.PlotDirectory);

        foreach (var (args, expected) in new[] { (new[] { "--bogus" }, "Unknown argument '--bogus'"), (["--json"], "'--json' needs a value"), (["--seed", "-3"], "non-negative integer") })
        {
            var error = new StringWriter();
            Assert.Null(SampleOptions.Parse("Demo", args, error));
            Assert.Contains(expected, error.ToString());
            Assert.Contains("Usage: Demo", error.ToString());
        }
    }

    [Fact]
    public void JsonWritesNonFiniteNumbersAsNull()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nggen-kit-{Guid.NewGuid():N}.json");
        try
        {
            JsonReport.Write(path, new JsonObject { ["values"] = JsonReport.Numbers([1.5, double.NaN, double.PositiveInfinity]) });
            var values = JsonNode.Parse(File.ReadAllText(path))!["values"]!.AsArray();
            Assert.Equal(1.5, values[0]!.GetValue<double>());
            Assert.Null(values[1]);
            Assert.Null(values[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ClaimTableReportsWhetherAllHeld()
    {
        var claims = new ClaimTable().Add("NGD converges faster", "10 vs 100 iterations", true).Add("GD finds max margin", "3.0°", false);
        Assert.False(claims.AllHeld);
        var text = new StringWriter();
        claims.Write(text);
        Assert.Contains("NO", text.ToString());
        Assert.Equal(2, claims.ToJson().Count);
    }

    private static double Attr(XElement element, string name) =>
        double.Parse(element.Attribute(name)!.Value, CultureInfo.InvariantCulture);
}
