using NGGen.Generators.Diagnostics;

namespace NGGen.Generators.Ir;

internal sealed partial class ProgramBuilder
{
    /// <summary>Output element e is source element indices[e].</summary>
    public int Gather(int x, int[] indices, Shape shape)
    {
        var a = _nodes[x];
        foreach (int i in indices)
            if ((uint)i >= (uint)a.Shape.Size)
                throw new ModelErrorException(DiagnosticIds.IndexOutOfRange, i, a.Shape.ToString());
        if (a.Op == Op.Const)
            return Const(shape, indices.Select(i => a.Values[i]).ToArray());
        if (a.Shape == shape && indices.Select((v, i) => v == i).All(b => b))
            return x;
        if (a.Op == Op.Gather)
            return Gather(a.Input(0), indices.Select(i => a.Ints[i]).ToArray(), shape);
        return Node(Op.Gather, [x], shape, a.Batched, ints: indices);
    }

    public int Element(int x, int index) => Gather(x, [index], Shape.Scalar);

    public int Slice(int x, int start, int length) => Gather(x, Enumerable.Range(start, length).ToArray(), Shape.Vector(length));

    public int Transpose(int x)
    {
        var s = _nodes[x].Shape;
        if (s.Rank != 2)
            throw new ModelErrorException(DiagnosticIds.ShapeMismatch, $"Transpose of {s}", "Transpose takes a matrix");
        var indices = new int[s.Size];
        for (int i = 0; i < s.Rows; i++)
            for (int j = 0; j < s.Cols; j++)
                indices[j * s.Rows + i] = i * s.Cols + j;
        return Gather(x, indices, Shape.Matrix(s.Cols, s.Rows));
    }

    /// <summary>Scalars and vectors one after another, as a vector.</summary>
    public int Concat(int[] parts)
    {
        if (parts.Length == 1 && _nodes[parts[0]].Shape.Rank == 1)
            return parts[0];
        int length = 0;
        foreach (int p in parts)
        {
            if (_nodes[p].Shape.Rank == 2)
                throw new ModelErrorException(DiagnosticIds.ShapeMismatch, "Concat of a matrix", "Concat joins scalars and vectors");
            length += _nodes[p].Shape.Size;
        }
        var shape = Shape.Vector(length);
        if (parts.All(IsConst))
            return Const(shape, parts.SelectMany(p => _nodes[p].Values).ToArray());
        return Node(Op.Concat, parts, shape, parts.Any(p => _nodes[p].Batched));
    }

    /// <summary>A rank-0 value repeated over <paramref name="shape"/>.</summary>
    public int Broadcast(int x, Shape shape)
    {
        var a = _nodes[x];
        if (a.Shape == shape)
            return x;
        if (a.Shape.Size != 1)
            throw new ModelErrorException(DiagnosticIds.ShapeMismatch, $"Broadcast of {a.Shape} to {shape}", "only scalars broadcast");
        if (a.Op == Op.Const)
            return Const(shape, Enumerable.Repeat(a.Values[0], shape.Size).ToArray());
        return Node(Op.Broadcast, [x], shape, a.Batched);
    }

    public int SumFeatures(int x)
    {
        var a = _nodes[x];
        if (a.Shape.Rank == 0)
            return x;
        if (a.Op == Op.Const)
            return Scalar(a.Values.Sum());
        return Node(Op.SumFeatures, [x], Shape.Scalar, a.Batched);
    }

    public int BatchSum(int x)
    {
        var a = _nodes[x];
        if (!a.Batched)
            throw new InvalidOperationException("BatchSum of an unbatched value");
        return Node(Op.BatchSum, [x], a.Shape, false);
    }

    /// <summary>op(A)·op(B) where rank-1 operands are columns. <paramref name="reduceBatch"/> sums the
    /// per-sample products over samples (reverse mode of a batched product into a parameter).</summary>
    public int MatMul(int a, int b, bool transposeA, bool transposeB, Shape? resultShape = null, bool reduceBatch = false)
    {
        var na = _nodes[a];
        var nb = _nodes[b];
        (int ar, int ac) = (na.Shape.Rows, na.Shape.Cols);
        (int br, int bc) = (nb.Shape.Rows, nb.Shape.Cols);
        (int m, int k) = transposeA ? (ac, ar) : (ar, ac);
        (int k2, int n) = transposeB ? (bc, br) : (br, bc);
        if (k != k2)
            throw new ModelErrorException(DiagnosticIds.ShapeMismatch, $"product of {Describe(na.Shape, transposeA)} and {Describe(nb.Shape, transposeB)}", "the inner dimensions must agree");
        var shape = resultShape ?? DefaultProductShape(na.Shape, nb.Shape, transposeA, transposeB, m, n);
        if (shape.Size != m * n)
            throw new InvalidOperationException("MatMul result shape mismatch");
        bool batched = (na.Batched || nb.Batched) && !reduceBatch;
        if (IsZero(a) || IsZero(b))
            return Zeros(shape);
        if (na.Op == Op.Const && nb.Op == Op.Const)
            return Const(shape, MultiplyConstants(na, nb, transposeA, transposeB, m, n, k));

        // A product with a one-hot constant column picks a column of the other operand: this is what
        // forward-mode input derivatives (seeds e_i) produce, so folding it keeps Laplacians cheap.
        if (nb.Op == Op.Const && n == 1 && OneHot(nb) is int hot && !reduceBatch)
            return Gather(a, Enumerable.Range(0, m).Select(i => transposeA ? hot * ac + i : i * ac + hot).ToArray(), shape);

        return Node(Op.MatMul, [a, b], shape, batched, ints: [transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k]);
    }

    private static int? OneHot(IrNode constant)
    {
        int found = -1;
        for (int i = 0; i < constant.Values.Count; i++)
        {
            double v = constant.Values[i];
            if (v == 0)
                continue;
            if (v != 1 || found >= 0)
                return null;
            found = i;
        }
        return found >= 0 ? found : null;
    }

    private static Shape DefaultProductShape(Shape a, Shape b, bool ta, bool tb, int m, int n)
    {
        if (a.Rank <= 1 && b.Rank <= 1 && ta && !tb)
            return Shape.Scalar;          // a·b
        if (b.Rank <= 1 && !tb)
            return Shape.Vector(m);       // M·x
        if (a.Rank <= 1 && ta)
            return Shape.Vector(n);       // xᵀ·M
        return Shape.Matrix(m, n);
    }

    private static string Describe(Shape s, bool transposed) => transposed ? $"{s}ᵀ" : s.ToString();

    private static double[] MultiplyConstants(IrNode a, IrNode b, bool ta, bool tb, int m, int n, int k)
    {
        double A(int i, int p) => ta ? a.Values[p * a.Shape.Cols + i] : a.Values[i * a.Shape.Cols + p];
        double B(int p, int j) => tb ? b.Values[j * b.Shape.Cols + p] : b.Values[p * b.Shape.Cols + j];
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += A(i, p) * B(p, j);
                result[i * n + j] = sum;
            }
        return result;
    }

    // ---- Reverse-mode statements -----------------------------------------------------------

    /// <summary>A cotangent accumulator; <paramref name="gradientOffset"/> ≥ 0 means it is the caller's
    /// gradient span at that θ offset (accumulate form), otherwise workspace.</summary>
    public int CtSlot(Shape shape, bool batched, int gradientOffset) => Node(Op.CtSlot, [], shape, batched, ints: [gradientOffset]);

    public void Accumulate(int slot, int value, int[]? scatter = null) =>
        Node(Op.Accumulate, [slot, value], _nodes[slot].Shape, _nodes[slot].Batched, ints: scatter);

    public void Output(int value) => Node(Op.Output, [value], _nodes[value].Shape, _nodes[value].Batched);
}
