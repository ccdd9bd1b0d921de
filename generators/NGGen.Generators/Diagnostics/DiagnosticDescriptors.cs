using Microsoft.CodeAnalysis;

namespace NGGen.Generators.Diagnostics;

/// <summary>Diagnostic ids, one per kind of construct outside the model language.</summary>
internal static class DiagnosticIds
{
    public const string ModelNotPartial = "NGG0001";
    public const string UnsupportedStatement = "NGG0002";
    public const string NonConstantLoopBound = "NGG0003";
    public const string UnsupportedExpression = "NGG0004";
    public const string UnknownMethod = "NGG0005";
    public const string UnsupportedMathFunction = "NGG0006";
    public const string UnsupportedType = "NGG0007";
    public const string MissingShape = "NGG0008";
    public const string ShapeMismatch = "NGG0009";
    public const string IndexOutOfRange = "NGG0010";
    public const string Recursion = "NGG0011";
    public const string NoModelFunctions = "NGG0012";
    public const string RefLocal = "NGG0013";
    public const string Lambda = "NGG0014";
    public const string StringUse = "NGG0015";
    public const string DynamicShape = "NGG0016";
    public const string RuntimeCondition = "NGG0017";
    public const string DifferentialOperatorTarget = "NGG0018";
    public const string InternalError = "NGG0019";
    public const string UnsupportedAssignment = "NGG0020";
    public const string NonConstantIndex = "NGG0021";
}

/// <summary>All descriptors in one table; each message says what to write instead.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NGGen";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor[] All =
    [
        Error(DiagnosticIds.ModelNotPartial, "Model class must be partial",
            "Model class '{0}' must be declared 'partial' so NGGen can add the generated members: write 'partial class {0}'"),
        Error(DiagnosticIds.UnsupportedStatement, "Unsupported statement",
            "'{0}' statements are not part of the NGGen model language: {1}"),
        Error(DiagnosticIds.NonConstantLoopBound, "Loop bound is not a compile-time constant",
            "The loop '{0}' must have compile-time bounds: write 'for (int i = <const>; i < <const>; i++)' with literal or const integers"),
        Error(DiagnosticIds.UnsupportedExpression, "Unsupported expression",
            "The expression '{0}' is not part of the NGGen model language: {1}"),
        Error(DiagnosticIds.UnknownMethod, "Unsupported method call",
            "Cannot differentiate a call to '{0}': call NGGen.Ops functions, System.Math functions with derivative rules, or other methods of this model"),
        Error(DiagnosticIds.UnsupportedMathFunction, "Math function without a derivative rule",
            "'Math.{0}' has no derivative rule: use one of Exp, Log, Sin, Cos, Tan, Tanh, Sqrt, Pow, Atan, Abs"),
        Error(DiagnosticIds.UnsupportedType, "Unsupported type",
            "{0} has type '{1}', which model code cannot use: use double (or float), NGGen.Vec or NGGen.Mat"),
        Error(DiagnosticIds.MissingShape, "Missing static shape",
            "{0}: write its static shape, e.g. [Param(32)] Vec b or [Param(32, 2)] Mat W, or [Shape(n)] on a Vec input"),
        Error(DiagnosticIds.ShapeMismatch, "Shape mismatch",
            "Shapes do not agree in {0}: {1}"),
        Error(DiagnosticIds.IndexOutOfRange, "Index out of range",
            "Index {0} is outside a value of shape {1}"),
        Error(DiagnosticIds.Recursion, "Recursive model method",
            "'{0}' calls itself: model methods are inlined and cannot recurse; unroll with a for loop instead"),
        Error(DiagnosticIds.NoModelFunctions, "Model has no functions",
            "Model '{0}' has no [Forward] or [Residual] method: mark at least one per-sample method"),
        Error(DiagnosticIds.RefLocal, "ref/out/pointer not supported",
            "'{0}' uses ref, out, in or pointers: model values are immutable; write a plain local 'var x = ...;'"),
        Error(DiagnosticIds.Lambda, "Lambda not supported",
            "Lambdas and local functions are not supported in model code: write a method of the model and pass its name (e.g. Grad(U, x))"),
        Error(DiagnosticIds.StringUse, "String not supported",
            "'{0}': strings and interpolation cannot appear in model code; compute numbers only"),
        Error(DiagnosticIds.DynamicShape, "Dynamic shape",
            "{0}: shapes must be known at compile time; use [Param(n)] shapes, [Shape(n)] inputs and constant sizes"),
        Error(DiagnosticIds.RuntimeCondition, "Condition on a model value",
            "'{0}' branches on a value known only at run time: use Relu, Abs, Sigmoid or Step-like Ops instead of if/?:"),
        Error(DiagnosticIds.DifferentialOperatorTarget, "Invalid differential operator target",
            "'{0}': the first argument of {1} must be the name of a method of this model with one parameter, e.g. {1}(U, x)"),
        Error(DiagnosticIds.InternalError, "NGGen internal error",
            "NGGen could not compile '{0}' ({1}); please report this with the model source"),
        Error(DiagnosticIds.UnsupportedAssignment, "Unsupported assignment",
            "'{0}' assigns to something other than a local variable: model code builds new values, e.g. 'var y = ...;'"),
        Error(DiagnosticIds.NonConstantIndex, "Non-constant index",
            "The index in '{0}' must be a compile-time integer (a literal, a const or a for-loop variable)"),
    ];

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor Get(string id) => s_byId[id];
}
