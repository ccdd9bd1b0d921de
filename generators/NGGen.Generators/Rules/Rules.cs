using NGGen.Generators.Ir;

namespace NGGen.Generators.Rules;

/// <summary>
/// The differentiation rules table. Each primitive family keeps its forward evaluation (constant
/// folding), JVP rule and transpose rule together in one file: Elementwise.cs, Structure.cs,
/// Contraction.cs. Reverse mode is never written per op: it is the JVP rule followed by the transpose
/// rules of the linear ops that JVP rules emit (Add, Sub, Neg, Mul/Div by a constant, Gather, Concat,
/// Broadcast, SumFeatures, BatchSum, MatMul with one constant operand).
/// </summary>
internal static partial class PrimitiveRules
{
    /// <summary>The tangent of node <paramref name="id"/> given its inputs' tangents (null = zero).</summary>
    public static int? Jvp(ProgramBuilder b, int id, int?[] dx)
    {
        var node = b[id];
        if (dx.All(t => t is null))
            return null;
        return node.Op switch
        {
            _ when OpFacts.IsElementwise(node.Op) => ElementwiseJvp(b, id, dx),
            Op.Gather or Op.Concat or Op.Broadcast or Op.SumFeatures or Op.BatchSum => StructureJvp(b, id, dx),
            Op.MatMul => MatMulJvp(b, id, dx),
            _ => throw new InvalidOperationException($"no JVP rule for {node.Op}"),
        };
    }

    /// <summary>Sends the cotangent <paramref name="ct"/> of linear node <paramref name="id"/> to its linear inputs.</summary>
    public static void Transpose(TransposeContext context, int id, int ct)
    {
        var node = context.Builder[id];
        switch (node.Op)
        {
            case var op when OpFacts.IsElementwise(op):
                ElementwiseTranspose(context, id, ct);
                break;
            case Op.Gather or Op.Concat or Op.Broadcast or Op.SumFeatures or Op.BatchSum:
                StructureTranspose(context, id, ct);
                break;
            case Op.MatMul:
                MatMulTranspose(context, id, ct);
                break;
            default:
                throw new InvalidOperationException($"no transpose rule for {node.Op}");
        }
    }
}

/// <summary>What transpose rules see: the builder, which nodes are linear, and where cotangents go.</summary>
internal sealed class TransposeContext(ProgramBuilder builder, Func<int, bool> isLinear, Action<int, int, int[]?> accumulate)
{
    public ProgramBuilder Builder { get; } = builder;

    public bool IsLinear(int id) => isLinear(id);

    /// <summary>Adds <paramref name="value"/> to the cotangent of <paramref name="target"/>, summing away
    /// any broadcast (over features or over samples) the forward operation applied to the target.</summary>
    public void Contribute(int target, int value)
    {
        if (!isLinear(target))
            return;
        var b = Builder;
        if (b[target].Shape.Size == 1 && b[value].Shape.Size > 1)
            value = b.SumFeatures(value);
        if (!b[target].Batched && b[value].Batched)
            value = b.BatchSum(value);
        accumulate(target, value, null);
    }

    /// <summary>Adds <paramref name="value"/> into the entries <paramref name="indices"/> of the cotangent of <paramref name="target"/>.</summary>
    public void Scatter(int target, int value, int[] indices)
    {
        if (isLinear(target))
            accumulate(target, value, indices);
    }
}
