using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>
/// The node walk both emitters share: which nodes need code of their own (leaves, fused members, accumulated Adds,
/// views and producers that write straight into their sink need none) and, for each that does, whether it adds into
/// its destination. The C# and CUDA C emitters only say how each kind of node is written, so they cannot disagree
/// on what is computed or on which writes accumulate.
/// </summary>
internal abstract class ProgramWalker
{
    protected ProgramWalker(IrProgram program)
    {
        Program = program;
        Plan = new StoragePlan(program);
        Accumulation = new AccumulationTracker(program, Plan);
    }

    protected IrProgram Program { get; }

    protected StoragePlan Plan { get; }

    protected AccumulationTracker Accumulation { get; }

    // Nodes already emitted beside an earlier product (EmitProductsBeside).
    private readonly HashSet<int> _emittedBeside = [];

    /// <summary>Emits every node in program order.</summary>
    protected void WalkNodes()
    {
        var pairs = PairsProducts ? new ProductPairs(Program, Plan) : null;
        for (int id = 0; id < Program.Count; id++)
        {
            if (_emittedBeside.Contains(id))
                continue;
            if (pairs?.PartnerOf(id) is int partner and >= 0)
            {
                EmitPair(id, partner);
                continue;
            }
            EmitNode(id);
        }
    }

    // A product and its partner (ProductPairs.PartnerOf), taking the accumulate flags in the order they would be
    // taken one after the other.
    private void EmitPair(int first, int partner)
    {
        Write firstWrite = Accumulation.TakeAccumulate(first);
        if (Program[partner].Op == Op.MatMul)
        {
            EmitProductsBeside(first, firstWrite, partner, Accumulation.TakeAccumulate(partner), -1, Write.Overwrite);
        }
        else
        {
            int product = Plan.ProductOf[partner];
            Write productWrite = Accumulation.TakeAccumulate(product);
            EmitProductsBeside(first, firstWrite, product, productWrite, partner, Accumulation.TakeAccumulate(partner));
        }
        _emittedBeside.Add(partner);
    }

    private void EmitNode(int id)
    {
        var node = Program[id];
        if (!Plan.EmitsCodeAtNode(id))
            return;
        switch (node.Op)
        {
            case var op when OpFacts.IsElementwise(op):
                if (Plan.ProductOf[id] is int product and >= 0)
                {
                    // The product moves down to its loop: its accumulate flag does not depend on the nodes between.
                    Write productWrite = Accumulation.TakeAccumulate(product);
                    EmitProductWithEpilogue(product, productWrite, id, Accumulation.TakeAccumulate(id));
                }
                else if (node.Batched)
                    EmitFusedGroup(id, Accumulation.TakeAccumulate(id));
                else
                    EmitUnbatchedElementwise(id);
                // Loops that run with this one (StoragePlan.FindFollowers) write fresh destinations, never a slot.
                foreach (int follower in Plan.FollowersOf(id))
                {
                    if (Accumulation.TakeAccumulate(follower) != Write.Overwrite)
                        throw new InvalidOperationException("a follower loop must overwrite its destination");
                    if (!FusesFollowers)
                        EmitFusedGroup(follower, Write.Overwrite);
                }
                return;
            case Op.Gather:
                EmitGather(id, Accumulation.TakeAccumulate(id));
                return;
            case Op.Concat:
                EmitConcat(id, Accumulation.TakeAccumulate(id));
                return;
            case Op.Broadcast:
                EmitBroadcast(id, Accumulation.TakeAccumulate(id));
                return;
            case Op.SumFeatures:
                EmitSumFeatures(id, Accumulation.TakeAccumulate(id));
                return;
            case Op.BatchSum:
                EmitBatchSum(id, Accumulation.TakeAccumulate(id));
                return;
            case Op.MatMul:
                EmitMatMul(id, Accumulation.TakeAccumulate(id));
                return;
            case Op.Accumulate:
            {
                int slot = node.Input(0), value = node.Input(1);
                EmitAccumulate(id, slot, value, Accumulation.TakeSlot(slot));
                return;
            }
            case Op.Output:
                EmitOutput(id, node.Input(0));
                return;
            default:
                throw new InvalidOperationException($"cannot emit {node.Op}");
        }
    }

    /// <summary>
    /// Whether <see cref="EmitFusedGroup"/> and <see cref="EmitProductWithEpilogue"/> run a loop's followers
    /// (<see cref="StoragePlan.FollowersOf"/>) inside it; otherwise each follower is emitted as its own loop right after.
    /// </summary>
    protected virtual bool FusesFollowers => false;

    /// <summary>
    /// Whether a product that writes only the caller's gradient is emitted together with the product after it
    /// (<see cref="ProductPairs"/>), so that on two threads each runs on its own core.
    /// </summary>
    protected virtual bool PairsProducts => false;

    /// <summary>
    /// Two independent products (<see cref="ProductPairs"/>): <paramref name="first"/>, and <paramref name="second"/>
    /// with the fused loop rooted at <paramref name="root"/> as its epilogue, or without one when root is -1.
    /// </summary>
    protected virtual void EmitProductsBeside(int first, Write firstWrite, int second, Write secondWrite, int root, Write rootWrite)
        => throw new InvalidOperationException("this emitter does not pair products");

    /// <summary>A batched elementwise chain ending at <paramref name="root"/> (<see cref="StoragePlan.GroupMembers"/>).</summary>
    protected abstract void EmitFusedGroup(int root, Write write);

    /// <summary>
    /// A product and the fused loop that reads it (<see cref="StoragePlan.FindEpilogues"/>), emitted where the loop
    /// is. Emitters without epilogues run the product and then the loop.
    /// </summary>
    protected virtual void EmitProductWithEpilogue(int product, Write productWrite, int root, Write rootWrite)
    {
        EmitMatMul(product, productWrite);
        EmitFusedGroup(root, rootWrite);
    }

    /// <summary>An elementwise op on unbatched values (overwrites its destination).</summary>
    protected abstract void EmitUnbatchedElementwise(int id);

    protected abstract void EmitGather(int id, Write write);

    protected abstract void EmitConcat(int id, Write write);

    protected abstract void EmitBroadcast(int id, Write write);

    protected abstract void EmitSumFeatures(int id, Write write);

    protected abstract void EmitBatchSum(int id, Write write);

    protected abstract void EmitMatMul(int id, Write write);

    /// <summary>Adds <paramref name="value"/> into <paramref name="slot"/> (scattered when the node has indices);
    /// <paramref name="write"/> is <see cref="Write.Overwrite"/> when the slot holds nothing yet.</summary>
    protected abstract void EmitAccumulate(int id, int slot, int value, Write write);

    /// <summary>Stores <paramref name="value"/> as the function's result.</summary>
    protected abstract void EmitOutput(int id, int value);
}
