using System.Globalization;
using System.Text;

namespace NGGen.Samples;

/// <summary>Several <see cref="LinePlot"/>s in one SVG, in rows of <c>columns</c> panels, with an optional title.</summary>
public static class PlotGrid
{
    public static string ToSvg(IReadOnlyList<LinePlot> plots, int columns, string? title = null)
    {
        if (plots.Count == 0)
            throw new ArgumentException("A plot grid needs at least one plot.", nameof(plots));
        columns = Math.Clamp(columns, 1, plots.Count);
        int rows = (plots.Count + columns - 1) / columns;
        double top = title is null ? 0 : 34;
        double width = columns * LinePlot.Width, height = top + rows * LinePlot.Height;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">""").Append('\n');
        svg.Append($"""<rect x="0" y="0" width="{LinePlot.F(width)}" height="{LinePlot.F(height)}" fill="white"/>""").Append('\n');
        if (title is not null)
            svg.Append($"""<text x="{LinePlot.F(width / 2)}" y="24" text-anchor="middle" font-size="17" font-weight="bold">{LinePlot.Escape(title)}</text>""").Append('\n');
        for (int i = 0; i < plots.Count; i++)
        {
            double x = (i % columns) * LinePlot.Width, y = top + (i / columns) * LinePlot.Height;
            svg.Append($"""<g transform="translate({LinePlot.F(x)} {LinePlot.F(y)})">""").Append('\n');
            plots[i].Render(svg);
            svg.Append("</g>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    public static void Save(string path, IReadOnlyList<LinePlot> plots, int columns, string? title = null) =>
        File.WriteAllText(path, ToSvg(plots, columns, title));
}
