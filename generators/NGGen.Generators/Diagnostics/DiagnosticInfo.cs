using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using NGGen.Generators.Helpers;

namespace NGGen.Generators.Diagnostics;

/// <summary>An equatable stand-in for a Location (pipeline models may not hold Roslyn objects).</summary>
internal sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
            return null;
        var span = location.GetLineSpan();
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan.Start, location.SourceSpan.Length,
            span.StartLinePosition.Line, span.StartLinePosition.Character, span.EndLinePosition.Line, span.EndLinePosition.Character);
    }

    public Location ToLocation() => Location.Create(FilePath, new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartColumn), new LinePosition(EndLine, EndColumn)));
}

/// <summary>An equatable diagnostic carried through the pipeline and reported at the end.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(string id, SyntaxNode? node, params object[] arguments) =>
        new(id, LocationInfo.From(node?.GetLocation()), arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToEquatableArray());

    public static DiagnosticInfo Create(string id, Location? location, params object[] arguments) =>
        new(id, LocationInfo.From(location), arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToEquatableArray());

    public Diagnostic ToDiagnostic() => Diagnostic.Create(DiagnosticDescriptors.Get(Id), Location?.ToLocation(), Arguments.Cast<object>().ToArray());
}
