using NGGen.Generators.Helpers;

namespace NGGen.Generators.Ir;

/// <summary>One SSA value. <see cref="Batched"/> says whether it varies per sample; unbatched values
/// (parameters, constants and anything computed only from them) are stored once.</summary>
internal sealed record IrNode(
    Op Op,
    EquatableArray<int> Inputs,
    Shape Shape,
    bool Batched,
    EquatableArray<int> Ints,
    EquatableArray<double> Values,
    string Name)
{
    public int Input(int i) => Inputs[i];
}

/// <summary>A straight-line program: nodes in SSA order.</summary>
internal sealed record IrProgram(EquatableArray<IrNode> Nodes)
{
    public IrNode this[int id] => Nodes[id];

    public int Count => Nodes.Count;
}
