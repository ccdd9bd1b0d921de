namespace NGGen.Generators.Ir;

/// <summary>Raised inside lowering for a user error (shape mismatch, index out of range, ...); the
/// lowering catches it and turns it into a diagnostic at the offending span. Never escapes the generator.</summary>
internal sealed class ModelErrorException(string diagnosticId, params object[] arguments) : Exception(diagnosticId)
{
    public string DiagnosticId { get; } = diagnosticId;

    public object[] Arguments { get; } = arguments;
}
