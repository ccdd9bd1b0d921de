using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>
/// Finds products that may run beside the product after them (Batched.MatMulBeside): a product that writes only the
/// caller's gradient (a layer's weight gradient in a VJP), followed directly by a product (the next input cotangent,
/// with or without its fused loop) that neither reads nor writes the gradient and writes nothing the first reads.
/// On two threads the pair then runs one product per core instead of one after the other, each split.
/// </summary>
/// <remarks>
/// The workspace plan reuses a region once its last reader has run, assuming one node at a time; two products at
/// once could therefore have the second write where the first still reads. The check is on the memory itself
/// (<see cref="StoragePlan.Owner"/>), not on values: workspace regions by their offsets, everything else by kind.
/// </remarks>
internal sealed class ProductPairs
{
    private readonly IrProgram _program;
    private readonly StoragePlan _plan;

    public ProductPairs(IrProgram program, StoragePlan plan)
    {
        _program = program;
        _plan = plan;
    }

    /// <summary>
    /// The node emitted right after <paramref name="first"/> when the two products may run side by side: a plain
    /// product, or the root of the fused loop a product runs as its epilogue (<see cref="StoragePlan.ProductOf"/>);
    /// otherwise -1.
    /// </summary>
    public int PartnerOf(int first)
    {
        if (_program[first].Op != Op.MatMul || !_plan.EmitsCodeAtNode(first) || !WritesOnlyTheGradient(first))
            return -1;
        int next = NextEmitted(first);
        if (next < 0)
            return -1;
        int product = _program[next].Op == Op.MatMul ? next : _plan.ProductOf[next];
        if (product < 0 || (product != next && _plan.FollowersOf(next).Count > 0))
            return -1;

        var reads = new List<int> { Owner(_program[product].Input(0)), Owner(_program[product].Input(1)) };
        var writes = new List<int> { Owner(product) };
        if (product != next)
        {
            var members = new HashSet<int>(_plan.LoopMembers(next));
            foreach (int member in members)
            {
                reads.AddRange(_program[member].Inputs.Where(i => !members.Contains(i)).Select(Owner));
                if (_plan.Storage[member].Kind != StorageKind.Fused)
                    writes.Add(Owner(member));
            }
        }
        if (reads.Concat(writes).Any(o => _plan.Storage[o].Kind is StorageKind.Gradient or StorageKind.Result))
            return -1;
        var firstReads = _program[first].Inputs.Select(Owner).ToList();
        return writes.Any(w => firstReads.Any(r => Overlap(w, r))) ? -1 : next;
    }

    // The product's result goes straight into a gradient slot: nothing later in the call reads it.
    private bool WritesOnlyTheGradient(int product)
        => _plan.Storage[Owner(product)].Kind == StorageKind.Gradient;

    // The next node that ProgramWalker emits code for.
    private int NextEmitted(int id)
    {
        for (int next = id + 1; next < _program.Count; next++)
            if (_plan.EmitsCodeAtNode(next))
                return next;
        return -1;
    }

    private int Owner(int id) => _plan.Owner(id);

    // Whether the memory of two owners may overlap: workspace regions by offset (batched rows and unbatched entries
    // are separate areas), read-only inputs never (nothing writes them), anything else when it is the same kind.
    private bool Overlap(int a, int b)
    {
        if (a == b)
            return true;
        var (sa, sb) = (_plan.Storage[a], _plan.Storage[b]);
        if (sa.Kind != sb.Kind)
            return false;
        if (sa.Kind != StorageKind.Workspace)
            return sa.Kind is not (StorageKind.Theta or StorageKind.Seed or StorageKind.Inputs);
        if (_program[a].Batched != _program[b].Batched)
            return false;
        return sa.Offset < sb.Offset + _program[b].Shape.Size && sb.Offset < sa.Offset + _program[a].Shape.Size;
    }
}
