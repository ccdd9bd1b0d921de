using System.Globalization;

namespace NGGen.Samples;

/// <summary>A fitted axis: bounds, ticks, and the map from data to the [0, 1] fraction of the plot.</summary>
public sealed record Axis(AxisScale Scale, double Min, double Max, double[] Ticks)
{
    /// <summary>Fits bounds and ticks to <paramref name="values"/> (already filtered to what the scale accepts),
    /// honouring the fixed bounds given.</summary>
    public static Axis Fit(AxisScale scale, IEnumerable<double> values, double? fixedMin, double? fixedMax)
    {
        var list = values.ToList();
        double lo = fixedMin ?? (list.Count > 0 ? list.Min() : scale == AxisScale.Log ? 0.1 : 0);
        double hi = fixedMax ?? (list.Count > 0 ? list.Max() : scale == AxisScale.Log ? 10 : 1);
        if (scale == AxisScale.Log)
        {
            if (lo <= 0 || hi <= 0)
                throw new ArgumentException($"A log axis needs positive bounds; got [{lo}, {hi}].");
            double dLo = Math.Floor(Math.Log10(lo) + 1e-9), dHi = Math.Ceiling(Math.Log10(hi) - 1e-9);
            if (dHi <= dLo)
                dHi = dLo + 1;
            if (fixedMin is null)
                lo = Math.Pow(10, dLo);
            if (fixedMax is null)
                hi = Math.Pow(10, dHi);
            int decades = (int)(dHi - dLo);
            int stride = Math.Max(1, (int)Math.Ceiling(decades / 8.0));
            var ticks = new List<double>();
            for (double d = dLo; d <= dHi + 1e-9; d += stride)
            {
                double t = Math.Pow(10, d);
                if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
                    ticks.Add(t);
            }
            return new Axis(scale, lo, hi, [.. ticks]);
        }
        if (hi - lo <= 1e-300 * Math.Max(1, Math.Abs(lo)) || hi == lo)
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double step = NiceStep((hi - lo) / 5);
        if (fixedMin is null)
            lo = Math.Floor(lo / step + 1e-9) * step;
        if (fixedMax is null)
            hi = Math.Ceiling(hi / step - 1e-9) * step;
        var linear = new List<double>();
        for (double t = Math.Ceiling(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
            linear.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return new Axis(scale, lo, hi, [.. linear]);
    }

    /// <summary>Whether a value can be drawn on this axis.</summary>
    public bool Accepts(double value) => double.IsFinite(value) && (Scale == AxisScale.Linear || value > 0);

    /// <summary>Position of <paramref name="value"/> as a fraction of the axis length (0 at Min, 1 at Max).</summary>
    public double Fraction(double value) => Scale == AxisScale.Log
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    public string Label(double tick) => Scale == AxisScale.Log
        ? "1e" + Math.Round(Math.Log10(tick)).ToString(CultureInfo.InvariantCulture)
        : tick.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>1, 2 or 5 times a power of ten, the smallest not below <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double mantissa = rough / power;
        return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
    }
}
