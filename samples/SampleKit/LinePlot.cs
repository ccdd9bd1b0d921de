using System.Globalization;
using System.Text;

namespace NGGen.Samples;

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    Line,
    Markers,
    LineAndMarkers,
}

/// <summary>Axis scale; a log axis drops non-positive values.</summary>
public enum AxisScale
{
    Linear,
    Log,
}

/// <summary>One named series. Non-finite points (and non-positive ones on a log axis) break the line.</summary>
public sealed record PlotSeries(string Name, double[] X, double[] Y, SeriesStyle Style = SeriesStyle.Line, bool Dashed = false, string? Color = null);

/// <summary>A dependency-free SVG line/scatter plot with linear or log axes, ticks at 1-2-5 steps or decades, a legend
/// and a clip to the plot area. Save one with <see cref="Save"/>, or several side by side with <see cref="PlotGrid"/>.</summary>
public sealed class LinePlot
{
    public const double Width = 640, Height = 420;
    public const double MarginLeft = 78, MarginRight = 20, MarginTop = 40, MarginBottom = 56;

    // Tableau 10: distinguishable, and readable when printed in grey.
    private static readonly string[] s_palette =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    private static int s_clipIds;

    public LinePlot(string title, string xLabel, string yLabel)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
    }

    public string Title { get; }
    public string XLabel { get; }
    public string YLabel { get; }
    public AxisScale XScale { get; init; }
    public AxisScale YScale { get; init; }

    /// <summary>Fixed axis bounds; null fits the data (linear axes widen to the nearest tick, log axes to decades).</summary>
    public double? XMin { get; init; }
    public double? XMax { get; init; }
    public double? YMin { get; init; }
    public double? YMax { get; init; }

    /// <summary>Forces the legend to the bottom-left corner; by default it goes to the corner that hides the fewest points.</summary>
    public bool LegendBottomLeft { get; init; }

    public List<PlotSeries> Series { get; } = [];

    public LinePlot Add(PlotSeries series)
    {
        if (series.X.Length != series.Y.Length)
            throw new ArgumentException($"Series '{series.Name}' has {series.X.Length} x values but {series.Y.Length} y values.", nameof(series));
        Series.Add(series);
        return this;
    }

    public LinePlot Add(string name, double[] x, double[] y, SeriesStyle style = SeriesStyle.Line, bool dashed = false) =>
        Add(new PlotSeries(name, x, y, style, dashed));

    /// <summary>The plot as a standalone SVG document.</summary>
    public string ToSvg()
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">""").Append('\n');
        Render(svg);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Writes the SVG to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToSvg());

    /// <summary>The axes this plot draws: bounds after fitting, and tick positions.</summary>
    public (Axis X, Axis Y) Axes() =>
        (Axis.Fit(XScale, Values(s => s.X, XScale), XMin, XMax), Axis.Fit(YScale, Values(s => s.Y, YScale), YMin, YMax));

    private const double PlotWidth = Width - MarginLeft - MarginRight;
    private const double PlotHeight = Height - MarginTop - MarginBottom;

    internal void Render(StringBuilder svg)
    {
        var (ax, ay) = Axes();
        svg.Append($"""<rect x="0" y="0" width="{F(Width)}" height="{F(Height)}" fill="white"/>""").Append('\n');
        svg.Append($"""<text x="{F(Width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">{Escape(Title)}</text>""").Append('\n');

        // Grid lines and tick labels.
        foreach (double t in ax.Ticks)
        {
            double px = MarginLeft + ax.Fraction(t) * PlotWidth;
            svg.Append($"""<line x1="{F(px)}" y1="{F(MarginTop)}" x2="{F(px)}" y2="{F(MarginTop + PlotHeight)}" stroke="#e0e0e0"/>""").Append('\n');
            svg.Append($"""<text x="{F(px)}" y="{F(MarginTop + PlotHeight + 17)}" text-anchor="middle" font-size="11">{Escape(ax.Label(t))}</text>""").Append('\n');
        }
        foreach (double t in ay.Ticks)
        {
            double py = MarginTop + (1 - ay.Fraction(t)) * PlotHeight;
            svg.Append($"""<line x1="{F(MarginLeft)}" y1="{F(py)}" x2="{F(MarginLeft + PlotWidth)}" y2="{F(py)}" stroke="#e0e0e0"/>""").Append('\n');
            svg.Append($"""<text x="{F(MarginLeft - 6)}" y="{F(py + 4)}" text-anchor="end" font-size="11">{Escape(ay.Label(t))}</text>""").Append('\n');
        }
        svg.Append($"""<rect x="{F(MarginLeft)}" y="{F(MarginTop)}" width="{F(PlotWidth)}" height="{F(PlotHeight)}" fill="none" stroke="#333"/>""").Append('\n');
        svg.Append($"""<text x="{F(MarginLeft + PlotWidth / 2)}" y="{F(Height - 14)}" text-anchor="middle" font-size="13">{Escape(XLabel)}</text>""").Append('\n');
        svg.Append($"""<text x="16" y="{F(MarginTop + PlotHeight / 2)}" text-anchor="middle" font-size="13" transform="rotate(-90 16 {F(MarginTop + PlotHeight / 2)})">{Escape(YLabel)}</text>""").Append('\n');

        // Series, clipped to the plot area so fixed bounds cut lines cleanly.
        string clip = "clip" + Interlocked.Increment(ref s_clipIds).ToString(CultureInfo.InvariantCulture);
        svg.Append($"""<clipPath id="{clip}"><rect x="{F(MarginLeft)}" y="{F(MarginTop)}" width="{F(PlotWidth)}" height="{F(PlotHeight)}"/></clipPath>""").Append('\n');
        svg.Append($"""<g clip-path="url(#{clip})">""").Append('\n');
        for (int i = 0; i < Series.Count; i++)
            RenderSeries(svg, Series[i], ColorOf(i), ax, ay);
        svg.Append("</g>\n");
        RenderLegend(svg, ax, ay);
    }

    private string ColorOf(int index) => Series[index].Color ?? s_palette[index % s_palette.Length];

    private static void RenderSeries(StringBuilder svg, PlotSeries series, string color, Axis ax, Axis ay)
    {
        var segments = new List<List<(double X, double Y)>> { new() };
        for (int k = 0; k < series.X.Length; k++)
        {
            double x = series.X[k], y = series.Y[k];
            if (!ax.Accepts(x) || !ay.Accepts(y))
            {
                if (segments[^1].Count > 0)
                    segments.Add([]);
                continue;
            }
            segments[^1].Add((MarginLeft + ax.Fraction(x) * PlotWidth, MarginTop + (1 - ay.Fraction(y)) * PlotHeight));
        }
        string dash = series.Dashed ? """ stroke-dasharray="6 4" """ : " ";
        foreach (var segment in segments)
        {
            if (series.Style != SeriesStyle.Markers && segment.Count > 1)
                svg.Append($"""<polyline fill="none" stroke="{color}" stroke-width="2"{dash}points="{string.Join(" ", segment.Select(p => F(p.X) + "," + F(p.Y)))}"/>""").Append('\n');
            if (series.Style != SeriesStyle.Line || segment.Count == 1)
                foreach (var p in segment)
                    svg.Append($"""<circle cx="{F(p.X)}" cy="{F(p.Y)}" r="3" fill="{color}"/>""").Append('\n');
        }
    }

    private void RenderLegend(StringBuilder svg, Axis ax, Axis ay)
    {
        if (Series.Count == 0)
            return;
        const double rowHeight = 17;
        double boxWidth = 44 + 7 * Series.Max(s => s.Name.Length);
        double boxHeight = 8 + rowHeight * Series.Count;
        var (x0, y0) = LegendCorner(boxWidth, boxHeight, ax, ay);
        svg.Append($"""<rect x="{F(x0)}" y="{F(y0)}" width="{F(boxWidth)}" height="{F(boxHeight)}" fill="white" fill-opacity="0.85" stroke="#999"/>""").Append('\n');
        for (int i = 0; i < Series.Count; i++)
        {
            double y = y0 + 4 + rowHeight * (i + 0.5);
            string dash = Series[i].Dashed ? """ stroke-dasharray="6 4" """ : " ";
            if (Series[i].Style == SeriesStyle.Markers)
                svg.Append($"""<circle cx="{F(x0 + 17)}" cy="{F(y)}" r="3" fill="{ColorOf(i)}"/>""").Append('\n');
            else
                svg.Append($"""<line x1="{F(x0 + 6)}" y1="{F(y)}" x2="{F(x0 + 28)}" y2="{F(y)}" stroke="{ColorOf(i)}" stroke-width="2"{dash}/>""").Append('\n');
            svg.Append($"""<text x="{F(x0 + 34)}" y="{F(y + 4)}" font-size="11">{Escape(Series[i].Name)}</text>""").Append('\n');
        }
    }

    /// <summary>Bottom-left when asked; otherwise the corner whose legend box covers the fewest data points
    /// (ties: top-right, top-left, bottom-right, bottom-left), as matplotlib's "best".</summary>
    private (double X, double Y) LegendCorner(double boxWidth, double boxHeight, Axis ax, Axis ay)
    {
        double left = MarginLeft + 8, right = MarginLeft + PlotWidth - boxWidth - 8;
        double top = MarginTop + 8, bottom = MarginTop + PlotHeight - boxHeight - 8;
        if (LegendBottomLeft)
            return (left, bottom);
        (double X, double Y)[] corners = [(right, top), (left, top), (right, bottom), (left, bottom)];
        var covered = new int[corners.Length];
        foreach (var series in Series)
            for (int k = 0; k < series.X.Length; k++)
            {
                if (!ax.Accepts(series.X[k]) || !ay.Accepts(series.Y[k]))
                    continue;
                double px = MarginLeft + ax.Fraction(series.X[k]) * PlotWidth, py = MarginTop + (1 - ay.Fraction(series.Y[k])) * PlotHeight;
                for (int c = 0; c < corners.Length; c++)
                    if (px >= corners[c].X && px <= corners[c].X + boxWidth && py >= corners[c].Y && py <= corners[c].Y + boxHeight)
                        covered[c]++;
            }
        int best = 0;
        for (int c = 1; c < corners.Length; c++)
            if (covered[c] < covered[best])
                best = c;
        return corners[best];
    }

    private IEnumerable<double> Values(Func<PlotSeries, double[]> select, AxisScale scale) =>
        Series.SelectMany(select).Where(v => double.IsFinite(v) && (scale == AxisScale.Linear || v > 0));

    internal static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
