using NGGen.Generators.Diagnostics;
using NGGen.Generators.Helpers;

namespace NGGen.Generators.Ir;

/// <summary>
/// Builds an <see cref="IrProgram"/> in SSA order. Every constructor checks shapes, derives whether the
/// value is batched, folds constants, applies local simplifications (x·1, x+0, one-hot products) and
/// deduplicates identical pure nodes (CSE), so transforms can emit naively.
/// </summary>
internal sealed partial class ProgramBuilder
{
    private readonly List<IrNode> _nodes = [];
    private readonly Dictionary<IrNode, int> _pure = [];

    public int Count => _nodes.Count;

    public IrNode this[int id] => _nodes[id];

    public IrProgram ToProgram() => new(_nodes.ToEquatableArray());

    public static ProgramBuilder From(IrProgram program)
    {
        var builder = new ProgramBuilder();
        foreach (var node in program.Nodes)
            builder.Append(node);
        return builder;
    }

    public int Append(IrNode node)
    {
        if (!OpFacts.HasSideEffects(node.Op) && _pure.TryGetValue(node, out int existing))
            return existing;
        _nodes.Add(node);
        int id = _nodes.Count - 1;
        if (!OpFacts.HasSideEffects(node.Op))
            _pure[node] = id;
        return id;
    }

    private int Node(Op op, int[] inputs, Shape shape, bool batched, int[]? ints = null, double[]? values = null, string name = "") =>
        Append(new IrNode(op, inputs.ToEquatableArray(), shape, batched,
            (ints ?? []).ToEquatableArray(), (values ?? []).ToEquatableArray(), name));

    // ---- Leaves --------------------------------------------------------------------------------

    public int Input(int rowOffset, Shape shape, string name) => Node(Op.Input, [], shape, true, [rowOffset], name: name);

    public int Param(int offset, Shape shape, string name) => Node(Op.Param, [], shape, false, [offset], name: name);

    public int TangentParam(int offset, Shape shape, string name) => Node(Op.TangentParam, [], shape, false, [offset], name: name);

    public int CotangentInput(Shape shape) => Node(Op.CotangentInput, [], shape, true, name: "cotangent");

    public int Const(Shape shape, double[] values) => Node(Op.Const, [], shape, false, values: values);

    public int Scalar(double value) => Const(Shape.Scalar, [value]);

    public int Zeros(Shape shape) => Const(shape, new double[shape.Size]);

    public bool IsConst(int id) => _nodes[id].Op == Op.Const;

    public bool IsZero(int id) => _nodes[id].Op == Op.Const && _nodes[id].Values.All(v => v == 0);

    private bool IsConstEqualTo(int id, double value) => _nodes[id].Op == Op.Const && _nodes[id].Values.All(v => v == value);

    // ---- Elementwise --------------------------------------------------------------------------

    public int Unary(Op op, int x)
    {
        var a = _nodes[x];
        if (a.Op == Op.Const)
            return Const(a.Shape, a.Values.Select(v => Rules.PrimitiveRules.Evaluate(op, v, 0)).ToArray());
        if (op == Op.Neg && a.Op == Op.Neg)
            return a.Input(0);
        return Node(op, [x], a.Shape, a.Batched);
    }

    public int Binary(Op op, int x, int y)
    {
        // Commutative operands in a canonical order so CSE sees a·b and b·a as one value.
        if (op is Op.Add or Op.Mul && x > y)
            (x, y) = (y, x);
        var a = _nodes[x];
        var b = _nodes[y];
        var shape = BroadcastShape(a.Shape, b.Shape, op);
        bool batched = a.Batched || b.Batched;
        if (a.Op == Op.Const && b.Op == Op.Const)
        {
            var values = new double[shape.Size];
            for (int i = 0; i < values.Length; i++)
                values[i] = Rules.PrimitiveRules.Evaluate(op, a.Values[a.Shape.Size == 1 ? 0 : i], b.Values[b.Shape.Size == 1 ? 0 : i]);
            return Const(shape, values);
        }

        bool keepsX = a.Shape == shape && a.Batched == batched;
        bool keepsY = b.Shape == shape && b.Batched == batched;
        switch (op)
        {
            case Op.Add when IsZero(y) && keepsX: return x;
            case Op.Add when IsZero(x) && keepsY: return y;
            case Op.Sub when IsZero(y) && keepsX: return x;
            case Op.Sub when IsZero(x) && keepsY: return Unary(Op.Neg, y);
            case Op.Mul when (IsZero(x) || IsZero(y)): return Zeros(shape);
            case Op.Mul when IsConstEqualTo(y, 1) && keepsX: return x;
            case Op.Mul when IsConstEqualTo(x, 1) && keepsY: return y;
            case Op.Mul when IsConstEqualTo(y, -1) && keepsX: return Unary(Op.Neg, x);
            case Op.Mul when IsConstEqualTo(x, -1) && keepsY: return Unary(Op.Neg, y);
            case Op.Div when IsZero(x): return Zeros(shape);
            case Op.Div when IsConstEqualTo(y, 1) && keepsX: return x;
        }

        return Node(op, [x, y], shape, batched);
    }

    public int Add(int x, int y) => Binary(Op.Add, x, y);

    public int Sub(int x, int y) => Binary(Op.Sub, x, y);

    public int Mul(int x, int y) => Binary(Op.Mul, x, y);

    public int Div(int x, int y) => Binary(Op.Div, x, y);

    public int Neg(int x) => Unary(Op.Neg, x);

    private static Shape BroadcastShape(Shape a, Shape b, Op op)
    {
        if (a == b)
            return a;
        if (a.Rank == 0)
            return b;
        if (b.Rank == 0)
            return a;
        // A one-entry vector broadcasts like a scalar only when it meets a scalar (handled above);
        // otherwise the shapes must agree exactly.
        throw new ModelErrorException(DiagnosticIds.ShapeMismatch, $"'{op}' of {a} and {b}", "operands of elementwise operations must have the same shape, or one must be a scalar");
    }
}
