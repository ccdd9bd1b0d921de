using NGGen.Generators.Diagnostics;
using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

/// <summary>How a value of the user's code is typed: scalar (double/float), Vec or Mat.</summary>
internal enum ValueKind { Scalar, Vec, Mat }

/// <summary>One parameter tensor of θ.</summary>
internal sealed record ParamSpec(string Name, ValueKind Kind, int Rows, int Cols, int Offset, int Init, double Value, bool IsField)
{
    public int Length => Rows * Cols;
}

/// <summary>One argument of a Forward/Residual method, for the reference (eager) call.</summary>
internal sealed record ArgumentSpec(string Name, bool IsParam, ValueKind Kind, int Length, int Offset, bool IsFloat);

/// <summary>A lowered model function: its signature and its per-sample forward program.</summary>
internal sealed record FunctionSpec(
    string Name,
    bool IsResidual,
    bool IsStatic,
    int InputSize,
    int OutputSize,
    ValueKind OutputKind,
    bool OutputIsFloat,
    EquatableArray<ArgumentSpec> Arguments,
    IrProgram Forward);

/// <summary>Everything the generator knows about one [Model] class; contains no Roslyn objects.</summary>
internal sealed record ModelSpec(
    string Namespace,
    string TypeName,
    EquatableArray<string> ContainingTypes,
    bool IsStatic,
    int ParameterCount,
    EquatableArray<ParamSpec> Parameters,
    EquatableArray<FunctionSpec> Functions,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The type that implements IModel: the class itself, or a nested Compiled type for static classes.</summary>
    public string ImplementationName => IsStatic ? "Compiled" : TypeName;

    public bool HasErrors => Diagnostics.Count > 0;
}
