using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NGGen.Bench;

/// <summary>Adds a GFLOP/s column to the default summary.</summary>
public sealed class FlopsConfig : ManualConfig
{
    /// <summary>Initializes a new instance of the <see cref="FlopsConfig"/> class.</summary>
    public FlopsConfig() => AddColumn(new GflopsColumn());
}

/// <summary>
/// Throughput from the mean time: 2·Size³ flops for a square GEMM (a benchmark with a <c>Size</c> parameter),
/// or <see cref="PeakBenchmarks.FlopsPerIteration"/> for the FMA peak loops.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    /// <inheritdoc/>
    public string Id => nameof(GflopsColumn);

    /// <inheritdoc/>
    public string ColumnName => "GFLOP/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => "Floating-point operations per second, 1e9 (GEMM: 2·m·n·k per call)";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        double? nanoseconds = report?.ResultStatistics?.Mean;
        if (nanoseconds is not > 0)
        {
            return "-";
        }

        double flops = benchmarkCase.Parameters["Size"] is int size
            ? 2.0 * size * size * size
            : PeakBenchmarks.FlopsPerIteration(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return flops > 0 ? (flops / nanoseconds.Value).ToString("F1", CultureInfo.InvariantCulture) : "-";
    }

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
