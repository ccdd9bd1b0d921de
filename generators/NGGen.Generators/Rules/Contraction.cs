using NGGen.Generators.Ir;

namespace NGGen.Generators.Rules;

/// <summary>Matrix products C = op(A)·op(B): bilinear, so the JVP is dA·B + A·dB and each term
/// transposes into another product (summed over samples when the target is a parameter).</summary>
internal static partial class PrimitiveRules
{
    private static int? MatMulJvp(ProgramBuilder b, int id, int?[] dx)
    {
        var node = b[id];
        bool ta = node.Ints[0] == 1, tb = node.Ints[1] == 1;
        int a = node.Input(0), c = node.Input(1);
        int? left = dx[0] is int da ? b.MatMul(da, c, ta, tb, node.Shape) : null;
        int? right = dx[1] is int db ? b.MatMul(a, db, ta, tb, node.Shape) : null;
        return Sum(b, left, right);
    }

    private static void MatMulTranspose(TransposeContext context, int id, int ct)
    {
        var b = context.Builder;
        var node = b[id];
        bool ta = node.Ints[0] == 1, tb = node.Ints[1] == 1;
        int a = node.Input(0), c = node.Input(1);
        if (context.IsLinear(c))
        {
            var target = b[c];
            bool reduce = !target.Batched && (b[ct].Batched || b[a].Batched);
            int value = tb
                ? b.MatMul(ct, a, true, ta, target.Shape, reduce)   // (op(A)ᵀ·ct)ᵀ = ctᵀ·op(A)
                : b.MatMul(a, ct, !ta, false, target.Shape, reduce); // op(A)ᵀ·ct
            context.Contribute(c, value);
        }
        if (context.IsLinear(a))
        {
            var target = b[a];
            bool reduce = !target.Batched && (b[ct].Batched || b[c].Batched);
            int value = ta
                ? b.MatMul(c, ct, tb, true, target.Shape, reduce)   // (ct·op(B)ᵀ)ᵀ = op(B)·ctᵀ
                : b.MatMul(ct, c, false, !tb, target.Shape, reduce); // ct·op(B)ᵀ
            context.Contribute(a, value);
        }
    }
}
