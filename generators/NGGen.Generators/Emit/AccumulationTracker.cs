using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>How a producer writes its destination.</summary>
internal enum Write
{
    /// <summary>The destination holds nothing yet: the producer overwrites it.</summary>
    Overwrite,

    /// <summary>The destination already holds values: the producer adds into it.</summary>
    Accumulate,

    /// <summary>
    /// The first write into a slice of the caller's gradient: it adds when the caller asked for
    /// <c>gradient +=</c> and overwrites when it asked for <c>gradient =</c> (a run-time choice in C#; the CUDA
    /// passes always add).
    /// </summary>
    AsCallerChose,
}

/// <summary>
/// Which producers add into their destination instead of overwriting it, decided in program order. Both emitters
/// (C# and CUDA C) walk the nodes in the same order through one of these, so they agree on every write.
/// </summary>
internal sealed class AccumulationTracker
{
    private readonly IrProgram _program;
    private readonly StoragePlan _plan;
    private readonly HashSet<int> _initializedSlots = [];
    private readonly HashSet<int> _writtenGradientOffsets = [];

    public AccumulationTracker(IrProgram program, StoragePlan plan)
    {
        _program = program;
        _plan = plan;
        GradientRegions = program.Nodes
            .Where(n => n.Op == Op.CtSlot && n.Ints[0] >= 0)
            .Select(n => (Offset: n.Ints[0], Length: n.Shape.Size))
            .Distinct()
            .OrderBy(r => r.Offset)
            .ToList();
        GradientRegionsDisjoint = GradientRegions.Zip(GradientRegions.Skip(1), (a, b) => a.Offset + a.Length <= b.Offset).All(x => x);
    }

    /// <summary>The slices of the caller's gradient this program writes (one per parameter it depends on).</summary>
    public IReadOnlyList<(int Offset, int Length)> GradientRegions { get; }

    /// <summary>
    /// Whether no two gradient slots overlap, so the first write into each can decide for the whole slice. Otherwise
    /// every gradient write adds, and an overwriting call clears the gradient first.
    /// </summary>
    public bool GradientRegionsDisjoint { get; }

    /// <summary>How a producer writes its destination (a slot already written, or the gradient, is added into);
    /// marks a slot destination as written.</summary>
    public Write TakeAccumulate(int producer)
    {
        int sink = _plan.SinkOf[producer];
        if (sink < 0)
            return Write.Overwrite;
        var consumer = _program[sink];
        if (consumer.Op == Op.Output)
            return Write.Overwrite;
        if (consumer.Op == Op.Add)
        {
            // The first product into an accumulated Add decides as the Add would (it may itself write
            // into a slot that already holds contributions); the second always accumulates.
            return _initializedSlots.Add(sink) ? TakeAccumulate(sink) : Write.Accumulate;
        }
        return TakeSlot(consumer.Input(0));
    }

    /// <summary>For a write into <paramref name="slot"/>: whether the slot already holds values; marks it written.</summary>
    public Write TakeSlot(int slot)
    {
        if (_plan.Storage[slot].Kind == StorageKind.Gradient)
        {
            if (!GradientRegionsDisjoint)
                return Write.Accumulate;
            return _writtenGradientOffsets.Add(_plan.Storage[slot].Offset) ? Write.AsCallerChose : Write.Accumulate;
        }
        return _initializedSlots.Add(slot) ? Write.Overwrite : Write.Accumulate;
    }
}
