using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>
/// Which producers add into their destination instead of overwriting it, decided in program order. Both emitters
/// (C# and CUDA C) walk the nodes in the same order through one of these, so they agree on every write.
/// </summary>
internal sealed class AccumulationTracker(IrProgram program, StoragePlan plan)
{
    private readonly HashSet<int> _initializedSlots = [];

    /// <summary>Whether a producer adds into its destination (a slot already written, or the gradient)
    /// rather than overwriting it; marks a slot destination as written.</summary>
    public bool TakeAccumulate(int producer)
    {
        int sink = plan.SinkOf[producer];
        if (sink < 0)
            return false;
        var consumer = program[sink];
        if (consumer.Op == Op.Output)
            return false;
        if (consumer.Op == Op.Add)
        {
            // The first product into an accumulated Add decides as the Add would (it may itself write
            // into a slot that already holds contributions); the second always accumulates.
            return _initializedSlots.Add(sink) ? TakeAccumulate(sink) : true;
        }
        int slot = consumer.Input(0);
        if (plan.Storage[slot].Kind == StorageKind.Gradient)
            return true;
        return !_initializedSlots.Add(slot);
    }

    /// <summary>For an Accumulate into <paramref name="slot"/>: whether the slot already holds values (the
    /// gradient always does); marks it written.</summary>
    public bool TakeSlot(int slot)
    {
        bool isGradient = plan.Storage[slot].Kind == StorageKind.Gradient;
        bool initialized = isGradient || _initializedSlots.Contains(slot);
        if (!isGradient)
            _initializedSlots.Add(slot);
        return initialized;
    }
}
