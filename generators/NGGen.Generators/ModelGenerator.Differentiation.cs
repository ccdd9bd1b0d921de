using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

/// <summary>A function with its parameter JVP and VJP programs.</summary>
internal sealed record DifferentiatedFunction(FunctionSpec Spec, IrProgram Jvp, IrProgram Vjp, LinearizedPrograms Linearized);

/// <summary>The model after differentiation: the input of the emitters.</summary>
internal sealed record DifferentiatedModel(ModelSpec Spec, EquatableArray<DifferentiatedFunction> Functions);

public sealed partial class ModelGenerator
{
    /// <summary>Differentiation: each forward program → its parameter JVP (forward mode), VJP (the JVP
    /// linearised and transposed) and the linearization split (forward once, then J and Jᵀ).</summary>
    internal static DifferentiatedModel Differentiate(ModelSpec spec, CancellationToken cancellationToken)
    {
        var functions = new List<DifferentiatedFunction>();
        foreach (var f in spec.Functions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            functions.Add(new DifferentiatedFunction(f, Transforms.ParameterJvp(f.Forward), Transforms.ParameterVjp(f.Forward), Transforms.Linearization(f.Forward)));
        }
        return new DifferentiatedModel(spec, functions.ToEquatableArray());
    }
}
