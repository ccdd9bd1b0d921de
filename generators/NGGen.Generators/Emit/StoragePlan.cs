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
    Linearization, // a primal value kept between Linearize and the linearized J/Jᵀ (rows if batched)
    Inline,      // a scalar constant written as a literal where it is read; never stored
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

    // For each loop root, the follower loops that run inside it (FindFollowers), in program order.
    private readonly List<int>[] _followers;

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
        EpilogueOf = new int[count];
        ProductOf = new int[count];
        LeaderOf = new int[count];
        _followers = new List<int>[count];
        FindEpilogues();
        FindFollowers();
        AllocateWorkspace();

        // Fused loops keep one chunk per member on the stack. A loop walks at most size·batch values of its root,
        // so a chunk never needs more than min(Chunk, ChunkFactor·batch).
        foreach (int root in Enumerable.Range(0, count).Where(IsGroupRoot))
        {
            MaxGroupTemps = Math.Max(MaxGroupTemps, LoopMembers(root).Count);
            ChunkFactor = Math.Max(ChunkFactor, program[root].Shape.Size);
        }
    }

    public Storage[] Storage { get; }

    public List<int>[] Consumers { get; }

    /// <summary>For a producer writing straight into its consumer's destination: that consumer (Output or Accumulate).</summary>
    public int[] SinkOf { get; }

    /// <summary>For a product that runs a fused loop on its blocks as they finish (<see cref="FindEpilogues"/>): the
    /// loop's root; otherwise -1.</summary>
    public int[] EpilogueOf { get; }

    /// <summary>For a fused loop that runs inside a product: that product (a MatMul); otherwise -1.</summary>
    public int[] ProductOf { get; }

    /// <summary>For a fused loop that runs inside an earlier loop (<see cref="FindFollowers"/>): that loop's root;
    /// otherwise -1.</summary>
    public int[] LeaderOf { get; }

    public int BatchedRows { get; private set; }


    public int UnbatchedLength { get; private set; }

    public int MaxGroupTemps { get; private set; }

    /// <summary>The largest root size of a fused group: chunks hold min(<see cref="Chunk"/>, ChunkFactor·batch) values,
    /// so tiny batches (curve fits) take a few values of stack per temporary instead of <see cref="Chunk"/>.</summary>
    public int ChunkFactor { get; private set; }

    private Storage Assign(int id)
    {
        var node = _program[id];
        // A value Linearize keeps lives in the caller's linearization buffer from the start, so storing
        // it costs no copy; the linearized programs read it there.
        if (node.Op == Op.Saved)
            return new Storage(StorageKind.Linearization, node.Ints[0]);
        foreach (int consumer in Consumers[id])
            if (_program[consumer].Op == Op.Save)
                return new Storage(StorageKind.Linearization, _program[consumer].Ints[0]);
        if (IsInlineConstant(id))
            return new Storage(StorageKind.Inline, 0);
        switch (node.Op)
        {
            case Op.Param: return new Storage(StorageKind.Theta, node.Ints[0]);
            case Op.TangentParam: return new Storage(StorageKind.Seed, node.Ints[0]);
            case Op.CotangentInput: return new Storage(StorageKind.Seed, 0);
            case Op.Input: return new Storage(StorageKind.Inputs, node.Ints[0]);
            case Op.CtSlot when node.Ints[0] >= 0: return new Storage(StorageKind.Gradient, node.Ints[0]);
            case Op.Accumulate or Op.Output or Op.Save: return new Storage(StorageKind.Fused, 0);
            case Op.Gather when node.Ints.Count > 0 && IsContiguous(node) && Storage[node.Input(0)].Kind != StorageKind.Fused:
                return new Storage(StorageKind.View, node.Ints[0], node.Input(0));
        }
        if (IsFusedIntoConsumer(id))
            return new Storage(StorageKind.Fused, 0);
        if (SinkTarget(id) is int sink)
        {
            SinkOf[id] = sink;
            var consumer = _program[sink];
            return consumer.Op switch
            {
                Op.Output => new Storage(StorageKind.Result, 0),
                Op.Add => new Storage(StorageKind.View, 0, sink),
                _ => new Storage(StorageKind.View, 0, consumer.Input(0)),
            };
        }
        return Allocate(node);
    }

    /// <summary>
    /// Whether the node has code of its own: leaves, fused members, accumulated Adds, views and producers that write
    /// straight into their sink have none.
    /// </summary>
    public bool EmitsCode(int id)
    {
        var node = _program[id];
        return node.Op switch
        {
            Op.Param or Op.TangentParam or Op.CotangentInput or Op.Input or Op.Const or Op.CtSlot or Op.Saved or Op.Save => false,
            var op when OpFacts.IsElementwise(op) => Storage[id].Kind != StorageKind.Fused && !IsAccumulatedAdd(id),
            Op.Gather => Storage[id].Kind != StorageKind.View,
            Op.Accumulate => SinkOf[node.Input(1)] != id,
            Op.Output => SinkOf[node.Input(0)] != id,
            _ => true,
        };
    }

    /// <summary>
    /// Whether the walk emits code at the node itself: it <see cref="EmitsCode"/>, and is neither a product moved down
    /// to its epilogue loop nor a follower loop emitted inside its leader.
    /// </summary>
    public bool EmitsCodeAtNode(int id) => EmitsCode(id) && EpilogueOf[id] < 0 && LeaderOf[id] < 0;

    /// <summary>
    /// Pairs each layer product (a shared matrix times a batched vector, which Batched.MatMul runs as one GEMM over
    /// the batch) with the fused loop that reads it, so the loop runs on each block of C as the GEMM finishes it,
    /// while it is in cache, instead of as a second pass over memory. The product is moved down to just before the
    /// loop; nodes between them may not read the product or write its operands. A product that is the second term
    /// of an accumulated Add pairs with a loop that reads the Add, when nothing runs between them.
    /// </summary>
    private void FindEpilogues()
    {
        for (int id = 0; id < _program.Count; id++)
            EpilogueOf[id] = ProductOf[id] = -1;
        for (int product = 0; product < _program.Count; product++)
        {
            var node = _program[product];
            if (node.Op != Op.MatMul || !node.Batched || _program[node.Input(0)].Batched || !_program[node.Input(1)].Batched
                || node.Ints[1] != 0 || node.Ints[3] != 1)
                continue;
            int read = product;
            bool mustBeAdjacent = false;
            if (SinkOf[product] >= 0)
            {
                int sum = SinkOf[product];
                if (!IsAccumulatedAdd(sum) || _program[sum].Inputs.Max() != product)
                    continue;
                (read, mustBeAdjacent) = (sum, true);
            }
            if (LoopReading(product, read, mustBeAdjacent) is int root)
            {
                EpilogueOf[product] = root;
                ProductOf[root] = product;
            }
        }
    }

    // The first fused loop after `product` that reads `read` (the product or the Add it completes), if the product
    // can move down to it.
    private int? LoopReading(int product, int read, bool mustBeAdjacent)
    {
        var operands = new HashSet<int>(_program[product].Inputs.Select(Owner));
        for (int id = product + 1; id < _program.Count; id++)
        {
            if (!EmitsCode(id))
                continue;
            if (IsGroupRoot(id) && GroupMembers(id).Any(m => _program[m].Inputs.Contains(read)))
                return _program[id].Shape.Size == _program[read].Shape.Size && ProductOf[id] < 0 ? id : null;
            var written = _program[id].Op == Op.Accumulate ? Owner(_program[id].Input(0)) : Owner(id);
            if (mustBeAdjacent || _program[id].Inputs.Any(i => i == read || Owner(i) == Owner(read)) || operands.Contains(written))
                return null;
        }
        return null;
    }

    /// <summary>
    /// Finds fused loops that can run inside the loop whose result they read, in the same pass: a loop that only
    /// reads that result and values already complete when it runs (parameters, inputs, saved or stored values) and
    /// writes a fresh destination. Linearize's tanh′ = 1 − h² then runs where h is computed, on values still in L1,
    /// inside the layer product's epilogue, instead of as a second pass over memory.
    /// </summary>
    private void FindFollowers()
    {
        for (int id = 0; id < _program.Count; id++)
        {
            LeaderOf[id] = -1;
            _followers[id] = [];
        }
        for (int root = 0; root < _program.Count; root++)
        {
            if (!IsGroupRoot(root) || ProductOf[root] >= 0 || SinkOf[root] >= 0 || !EmitsCode(root))
                continue;
            var members = GroupMembers(root);
            var memberSet = new HashSet<int>(members);
            var external = members.SelectMany(m => _program[m].Inputs).Where(i => !memberSet.Contains(i)).Distinct().ToList();
            int leader = external.Where(i => IsGroupRoot(i) && EmitsCode(i) && LeaderOf[i] < 0
                && _program[i].Shape.Size == _program[root].Shape.Size).DefaultIfEmpty(-1).Max();
            if (leader >= 0 && external.All(i => i == leader || IsCompleteBefore(i, leader)))
            {
                LeaderOf[root] = leader;
                _followers[leader].Add(root);
            }
        }
    }

    // Whether a value is computed, whole, before node `at` runs, and nothing after it writes it: a value the caller
    // passes in, a constant, or one stored once by its own node (not a product moved down to a later loop, not an
    // accumulated sum or a view of one).
    private bool IsCompleteBefore(int id, int at)
    {
        // Constants are loaded before the first node runs, or written into the code that reads them.
        if (_program[id].Op == Op.Const)
            return Storage[id].Kind is StorageKind.Workspace or StorageKind.Inline;
        if (id >= at || EpilogueOf[id] >= 0 || IsAccumulatedAdd(id) || LeaderOf[id] >= 0)
            return false;
        return Storage[id].Kind switch
        {
            StorageKind.Theta or StorageKind.Seed or StorageKind.Inputs => true,
            StorageKind.Workspace or StorageKind.Linearization => _program[id].Op is not (Op.CtSlot or Op.Accumulate),
            _ => false,
        };
    }

    /// <summary>The loops that run inside the loop rooted at <paramref name="leader"/>, in program order.</summary>
    public IReadOnlyList<int> FollowersOf(int leader) => _followers[leader];

    /// <summary>The members of the loop rooted at <paramref name="root"/> with those of its followers.</summary>
    public List<int> LoopMembers(int root)
    {
        if (LeaderOf[root] >= 0)
            return GroupMembers(root);
        var members = GroupMembers(root);
        foreach (int follower in FollowersOf(root))
            members.AddRange(GroupMembers(follower));
        return members;
    }

    // Offsets are assigned later by AllocateWorkspace, once lifetimes are known.
    private static Storage Allocate(IrNode node) => new(StorageKind.Workspace, -1);

    /// <summary>The node that owns the memory a node's storage lives in (follows views).</summary>
    public int Owner(int id)
    {
        while (Storage[id].Kind == StorageKind.View)
            id = Storage[id].Source;
        return id;
    }

    /// <summary>
    /// Linear-scan allocation of workspace regions by lifetime. A region is live from its first write
    /// (its own node, an earlier producer writing into it through a sink, or the prologue for
    /// constants) to its last read. A region freed by node B is only reused by nodes after B, so no
    /// kernel ever reads and writes overlapping memory.
    /// </summary>
    private void AllocateWorkspace()
    {
        int count = _program.Count;
        var start = new int[count];
        var end = new int[count];
        for (int id = 0; id < count; id++)
        {
            start[id] = _program[id].Op == Op.Const ? -1 : id;
            end[id] = id;
        }
        // A fused member runs inside its group's loop, which is emitted at the group root, and a follower loop with its
        // leader, earlier than its own root: its members and result live from there.
        var position = new int[count];
        for (int id = count - 1; id >= 0; id--)
        {
            position[id] = LeaderOf[id] >= 0 ? LeaderOf[id]
                : Storage[id].Kind == StorageKind.Fused && Consumers[id].Count == 1 ? position[Consumers[id][0]] : id;
            if (LeaderOf[id] >= 0)
                start[id] = Math.Min(start[id], position[id]);
        }
        // A product with an epilogue runs at its loop, and its operands must stay intact until then.
        for (int id = 0; id < count; id++)
            if (EpilogueOf[id] >= 0)
                position[id] = EpilogueOf[id];
        for (int id = 0; id < count; id++)
        {
            if (Storage[id].Kind == StorageKind.View)
            {
                int owner = Owner(id);
                start[owner] = Math.Min(start[owner], position[id]);
                end[owner] = Math.Max(end[owner], position[id]);
            }
            foreach (int input in _program[id].Inputs)
            {
                int owner = Owner(input);
                end[owner] = Math.Max(end[owner], position[id]);
            }
        }

        var batchedPool = new RegionPool();
        var unbatchedPool = new RegionPool();
        var owners = Enumerable.Range(0, count).Where(id => Storage[id].Kind == StorageKind.Workspace).OrderBy(id => start[id]).ThenBy(id => id).ToList();
        var live = new List<int>();
        foreach (int id in owners)
        {
            foreach (int done in live.Where(l => end[l] < start[id]).ToList())
            {
                (_program[done].Batched ? batchedPool : unbatchedPool).Release(Storage[done].Offset, _program[done].Shape.Size);
                live.Remove(done);
            }
            var pool = _program[id].Batched ? batchedPool : unbatchedPool;
            Storage[id] = new Storage(StorageKind.Workspace, pool.Take(_program[id].Shape.Size));
            live.Add(id);
        }
        BatchedRows = batchedPool.Extent;
        UnbatchedLength = unbatchedPool.Extent;
    }

    /// <summary>First-fit allocator over a growing range (rows for batched values, entries otherwise).</summary>
    private sealed class RegionPool
    {
        private readonly List<(int Offset, int Length)> _free = [];

        public int Extent { get; private set; }

        public int Take(int length)
        {
            for (int i = 0; i < _free.Count; i++)
            {
                var (offset, available) = _free[i];
                if (available < length)
                    continue;
                if (available == length)
                    _free.RemoveAt(i);
                else
                    _free[i] = (offset + length, available - length);
                return offset;
            }
            // Grow, absorbing a free block that ends at the current extent.
            if (_free.Count > 0 && _free[_free.Count - 1].Offset + _free[_free.Count - 1].Length == Extent)
            {
                var last = _free[_free.Count - 1];
                _free.RemoveAt(_free.Count - 1);
                Extent = last.Offset + length;
                return last.Offset;
            }
            int at = Extent;
            Extent += length;
            return at;
        }

        public void Release(int offset, int length)
        {
            _free.Add((offset, length));
            _free.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            for (int i = _free.Count - 1; i > 0; i--)
            {
                if (_free[i - 1].Offset + _free[i - 1].Length == _free[i].Offset)
                {
                    _free[i - 1] = (_free[i - 1].Offset, _free[i - 1].Length + _free[i].Length);
                    _free.RemoveAt(i);
                }
            }
        }
    }

    private static bool IsContiguous(IrNode gather)
    {
        for (int i = 1; i < gather.Ints.Count; i++)
            if (gather.Ints[i] != gather.Ints[0] + i)
                return false;
        return true;
    }

    /// <summary>
    /// A scalar constant (tanh's 1 in 1 − h·h) read only by elementwise code: each reader writes its value in place,
    /// so it takes no workspace and no load per call, which on the device was a kernel launch of its own.
    /// </summary>
    public bool IsInlineConstant(int id)
    {
        var node = _program[id];
        return node.Op == Op.Const && !node.Batched && node.Shape.Size == 1 && Consumers[id].Count > 0
            && Consumers[id].All(c => OpFacts.IsElementwise(_program[c].Op));
    }

    /// <summary>An elementwise, batched node whose only consumer is a same-size elementwise batched node.</summary>
    public bool IsFusedIntoConsumer(int id)
    {
        var node = _program[id];
        if (!OpFacts.IsElementwise(node.Op) || !node.Batched || Consumers[id].Count != 1 || IsAccumulatedAdd(id))
            return false;
        var consumer = _program[Consumers[id][0]];
        return OpFacts.IsElementwise(consumer.Op) && consumer.Batched && consumer.Shape.Size == node.Shape.Size;
    }

    public bool IsGroupRoot(int id) =>
        OpFacts.IsElementwise(_program[id].Op) && _program[id].Batched && !IsFusedIntoConsumer(id) && !IsAccumulatedAdd(id);

    /// <summary>
    /// An Add of two matrix products that feed nothing else (the tangent dW·h + W·dh of a layer): the
    /// first product writes the sum's buffer and the second accumulates into it (GEMM with β = 1),
    /// so the sum costs no extra pass over memory.
    /// </summary>
    public bool IsAccumulatedAdd(int id)
    {
        var node = _program[id];
        if (node.Op != Op.Add || !node.Batched || node.Input(0) == node.Input(1))
            return false;
        foreach (int input in node.Inputs)
        {
            var operand = _program[input];
            if (operand.Op != Op.MatMul || !operand.Batched || operand.Shape.Size != node.Shape.Size || Consumers[input].Count != 1)
                return false;
        }
        return true;
    }

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
            || IsGroupRoot(id) || IsAccumulatedAdd(id);
        if (!producer || Consumers[id].Count != 1)
            return null;
        int consumerId = Consumers[id][0];
        var consumer = _program[consumerId];
        if (node.Op == Op.MatMul && IsAccumulatedAdd(consumerId))
            return consumerId;
        if (consumer.Op == Op.Output && node.Batched)
            return consumerId;
        if (consumer.Op == Op.Accumulate && consumer.Input(1) == id && consumer.Ints.Count == 0
            && _program[consumer.Input(0)].Batched == node.Batched && _program[consumer.Input(0)].Shape.Size == node.Shape.Size)
            return consumerId;
        return null;
    }
}
