namespace NGGen.Generators.Ir;

/// <summary>IR primitives. Per-sample semantics; batching over samples is a property of each value.</summary>
internal enum Op
{
    // Leaves
    Input,          // Ints: [row offset in the function's inputs]
    Param,          // Ints: [offset in θ]
    TangentParam,   // Ints: [offset in θ]; the JVP seed v (linear)
    Const,          // Values: row-major entries (never batched)
    CotangentInput, // the VJP seed u, laid out like the function's output (linear)
    Saved,          // Ints: [offset]; a primal value read from the linearization buffer (rows if batched)

    // Elementwise (a rank-0 operand broadcasts over the other's shape; an unbatched one over samples)
    Add, Sub, Mul, Div, Pow,
    Neg, Exp, Expm1, Log, Log1p, Sin, Cos, Tan, Tanh, Sqrt, Atan, Abs, Sign, Relu, Step, Sigmoid,

    // Structure
    Gather,         // Ints: source element per output element (index, slice, transpose, column)
    Concat,         // inputs one after another
    Broadcast,      // rank-0 value repeated over Shape
    SumFeatures,    // sum over all entries of one sample -> rank 0
    BatchSum,       // sum over samples -> unbatched

    // Contraction
    MatMul,         // Ints: [transposeA, transposeB, m, n, k]; rank-1 operands are columns

    // Reverse-mode statements (side effects, never deduplicated)
    CtSlot,         // a cotangent accumulator for the node in Ints[0]
    Accumulate,     // Inputs: [slot, value]; Ints: optional element indices to scatter into
    Output,         // Inputs: [value]; stores the function result (Forward/Jvp)
    Save,           // Inputs: [value]; Ints: [offset]; keeps a primal value in the linearization buffer
}

internal static class OpFacts
{
    public static bool IsUnary(Op op) => op is >= Op.Neg and <= Op.Sigmoid;

    public static bool IsBinary(Op op) => op is >= Op.Add and <= Op.Pow;

    public static bool IsElementwise(Op op) => IsUnary(op) || IsBinary(op);

    public static bool HasSideEffects(Op op) => op is Op.CtSlot or Op.Accumulate or Op.Output or Op.Save;
}
