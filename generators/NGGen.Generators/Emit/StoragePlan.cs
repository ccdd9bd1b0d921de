using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>Where a value lives while a generated method runs.</summary>
internal enum StorageKind
{
    Theta,       // parameter slice (read-only)
    Seed,        // tangent (Jvp) or cotangent (Vjp) slice (read-only)
    Inputs,      // rows of the function inputs (read-only)
    Gradient,    // the caller's gradient slice (Vjp, accumulate form)
    Result,      // the caller's output span (Forward/Jvp)
    Workspace,   // materialised in the workspace
    View,        // a contiguous part of another value's storage
    Fused,       // a temporary inside a fused elementwise loop; never stored
}

/// <summary>Storage of one node: for Workspace, <see cref="Offset"/> is in rows (batched, ×batch) or
/// elements (unbatched); for views and read-only slices, an element offset.</summary>
internal readonly record struct Storage(StorageKind Kind, int Offset, int Source = -1);

/// <summary>
/// Decides, for one program, which elementwise nodes fuse into their consumer, which producers write
/// straight into their single consumer's destination (a cotangent slot, the gradient or the result),
/// which structural nodes are zero-copy views, and the workspace layout (sized from static shapes).
/// </summary>
internal sealed class StoragePlan
{
    public const int Chunk = 512;

    private readonly IrProgram _program;

    public StoragePlan(IrProgram program)
    {
        _program = program;
        int count = program.Count;
        Storage = new Storage[count];
        Consumers = new List<int>[count];
        SinkOf = new int[count];
        for (int i = 0; i < count; i++)
        {
            Consumers[i] = [];
            SinkOf[i] = -1;
        }
        for (int id = 0; id < count; id++)
            foreach (int input in program[id].Inputs.Distinct())
                Consumers[input].Add(id);

        for (int id = 0; id < count; id++)
            Storage[id] = Assign(id);

        // Scratch for fused loops: one chunk per member of the largest group.
        foreach (int root in Enumerable.Range(0, count).Where(IsGroupRoot))
            MaxGroupTemps = Math.Max(MaxGroupTemps, GroupMembers(root).Count);
    }

    public Storage[] Storage { get; }

    public List<int>[] Consumers { get; }

    /// <summary>For a producer writing straight into its consumer's destination: that consumer (Output or Accumulate).</summary>
    public int[] SinkOf { get; }

    public int BatchedRows { get; private set; }

    public int UnbatchedLength { get; private set; }

    public int MaxGroupTemps { get; private set; }

    public int ScratchLength => MaxGroupTemps * Chunk;

    private Storage Assign(int id)
    {
        var node = _program[id];
        switch (node.Op)
        {
            case Op.Param: return new Storage(StorageKind.Theta, node.Ints[0]);
            case Op.TangentParam: return new Storage(StorageKind.Seed, node.Ints[0]);
            case Op.CotangentInput: return new Storage(StorageKind.Seed, 0);
            case Op.Input: return new Storage(StorageKind.Inputs, node.Ints[0]);
            case Op.CtSlot when node.Ints[0] >= 0: return new Storage(StorageKind.Gradient, node.Ints[0]);
            case Op.Accumulate or Op.Output: return new Storage(StorageKind.Fused, 0);
            case Op.Gather when IsContiguous(node) && Storage[node.Input(0)].Kind != StorageKind.Fused:
                return new Storage(StorageKind.View, node.Ints[0], node.Input(0));
        }
        if (IsFusedIntoConsumer(id))
            return new Storage(StorageKind.Fused, 0);
        if (SinkTarget(id) is int sink)
        {
            SinkOf[id] = sink;
            var consumer = _program[sink];
            return consumer.Op == Op.Output
                ? new Storage(StorageKind.Result, 0)
                : new Storage(StorageKind.View, 0, consumer.Input(0));
        }
        return Allocate(node);
    }

    private Storage Allocate(IrNode node)
    {
        if (node.Batched)
        {
            var storage = new Storage(StorageKind.Workspace, BatchedRows);
            BatchedRows += node.Shape.Size;
            return storage;
        }
        var unbatched = new Storage(StorageKind.Workspace, UnbatchedLength);
        UnbatchedLength += node.Shape.Size;
        return unbatched;
    }

    private static bool IsContiguous(IrNode gather)
    {
        for (int i = 1; i < gather.Ints.Count; i++)
            if (gather.Ints[i] != gather.Ints[0] + i)
                return false;
        return true;
    }

    /// <summary>An elementwise, batched node whose only consumer is a same-size elementwise batched node.</summary>
    public bool IsFusedIntoConsumer(int id)
    {
        var node = _program[id];
        if (!OpFacts.IsElementwise(node.Op) || !node.Batched || Consumers[id].Count != 1)
            return false;
        var consumer = _program[Consumers[id][0]];
        return OpFacts.IsElementwise(consumer.Op) && consumer.Batched && consumer.Shape.Size == node.Shape.Size;
    }

    public bool IsGroupRoot(int id) =>
        OpFacts.IsElementwise(_program[id].Op) && _program[id].Batched && !IsFusedIntoConsumer(id);

    /// <summary>The members of the fused group rooted at <paramref name="root"/>, in SSA order (root last).</summary>
    public List<int> GroupMembers(int root)
    {
        var members = new SortedSet<int>();
        var stack = new Stack<int>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            int id = stack.Pop();
            if (!members.Add(id))
                continue;
            foreach (int input in _program[id].Inputs)
                if (IsFusedIntoConsumer(input))
                    stack.Push(input);
        }
        return members.ToList();
    }

    /// <summary>The Output/Accumulate a producer may write into directly (single consumer, same size and batching).</summary>
    private int? SinkTarget(int id)
    {
        var node = _program[id];
        bool producer = node.Op is Op.MatMul or Op.BatchSum or Op.SumFeatures or Op.Broadcast or Op.Concat or Op.Gather
            || IsGroupRoot(id);
        if (!producer || Consumers[id].Count != 1)
            return null;
        int consumerId = Consumers[id][0];
        var consumer = _program[consumerId];
        if (consumer.Op == Op.Output && node.Batched)
            return consumerId;
        if (consumer.Op == Op.Accumulate && consumer.Input(1) == id && consumer.Ints.Count == 0
            && _program[consumer.Input(0)].Batched == node.Batched && _program[consumer.Input(0)].Shape.Size == node.Shape.Size)
            return consumerId;
        return null;
    }
}
