using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;
using NGGen.Generators.Rules;

namespace NGGen.Generators;

/// <summary>Program-to-program transforms: forward-mode JVP, reverse mode by transposition, DCE.</summary>
internal static partial class Transforms
{
    /// <summary>
    /// Forward mode: appends tangent nodes for every node after the earliest seed. Nodes that do not
    /// depend on a seed get no tangent (null). Returns the tangent of every node that has one.
    /// </summary>
    public static Dictionary<int, int> Jvp(ProgramBuilder b, Dictionary<int, int> seeds)
    {
        var tangents = new Dictionary<int, int>(seeds);
        // A function that uses no parameter has no seeds, and so no tangents.
        if (seeds.Count == 0)
            return tangents;
        int start = seeds.Keys.Min();
        int end = b.Count;
        for (int id = start; id < end; id++)
        {
            if (tangents.ContainsKey(id))
                continue;
            var node = b[id];
            if (node.Inputs.Count == 0 || OpFacts.HasSideEffects(node.Op))
                continue;
            var dx = node.Inputs.Select(i => tangents.TryGetValue(i, out int t) ? t : (int?)null).ToArray();
            if (PrimitiveRules.Jvp(b, id, dx) is int tangent && !b.IsZero(tangent))
                tangents[id] = tangent;
        }
        return tangents;
    }

    /// <summary>The parameter JVP of a forward program: its Output becomes the tangent J·v.</summary>
    public static IrProgram ParameterJvp(IrProgram forward)
    {
        var b = ProgramBuilder.From(WithoutOutputs(forward, out int output));
        var tangents = Jvp(b, ParameterSeeds(b));
        b.Output(tangents.TryGetValue(output, out int t) ? t : b.Zeros(b[output].Shape));
        return EliminateDeadCode(b.ToProgram());
    }

    /// <summary>
    /// The parameter VJP: linearize (JVP), then transpose the linear nodes in reverse order. Each
    /// cotangent is used directly when it has one contribution, otherwise summed in a slot; parameter
    /// cotangents accumulate into the caller's gradient.
    /// </summary>
    public static IrProgram ParameterVjp(IrProgram forward) => EliminateDeadCode(LinearizeAndTranspose(forward).Builder.ToProgram());

    /// <summary>Forward, tangent and transposed nodes of one function in one builder (shared by the
    /// VJP and the linearized programs, so primal values the two need are the same nodes).</summary>
    private static (ProgramBuilder Builder, int Output, int? TangentOutput) LinearizeAndTranspose(IrProgram forward)
    {
        var b = ProgramBuilder.From(WithoutOutputs(forward, out int output));
        var seeds = ParameterSeeds(b);
        var tangents = Jvp(b, seeds);
        var contributions = new Dictionary<int, List<(int Value, int[]? Scatter)>>();
        if (!tangents.TryGetValue(output, out int tangentOutput))
            return (b, output, null);
        var linear = LinearNodes(b, seeds.Values);
        var live = LiveLinear(b, tangentOutput, linear);
        // An output shared by all samples (e.g. a parameter-only expression) receives the sum of the
        // per-sample cotangents.
        int cotangent = b.CotangentInput(b[tangentOutput].Shape);
        contributions[tangentOutput] = [(b[tangentOutput].Batched ? cotangent : b.BatchSum(cotangent), null)];
        var context = new TransposeContext(b, id => linear.Contains(id),
            (target, value, scatter) =>
            {
                if (!contributions.TryGetValue(target, out var list))
                    contributions[target] = list = [];
                list.Add((value, scatter));
            });
        foreach (int id in live.OrderByDescending(i => i))
        {
            if (b[id].Op == Op.TangentParam || !contributions.TryGetValue(id, out var list))
                continue;
            int ct = Combine(b, b[id], list, gradientOffset: -1);
            PrimitiveRules.Transpose(context, id, ct);
        }
        foreach (int seed in seeds.Values.Distinct())
            if (contributions.TryGetValue(seed, out var list))
                Combine(b, b[seed], list, gradientOffset: b[seed].Ints[0]);
        return (b, output, tangentOutput);
    }

    private static int Combine(ProgramBuilder b, IrNode target, List<(int Value, int[]? Scatter)> list, int gradientOffset)
    {
        if (gradientOffset < 0 && list.Count == 1 && list[0].Scatter is null && b[list[0].Value].Batched == target.Batched)
            return list[0].Value;
        int slot = b.CtSlot(target.Shape, target.Batched, gradientOffset);
        foreach (var (value, scatter) in list)
            b.Accumulate(slot, value, scatter);
        return slot;
    }

    private static Dictionary<int, int> ParameterSeeds(ProgramBuilder b)
    {
        var seeds = new Dictionary<int, int>();
        int count = b.Count;
        for (int id = 0; id < count; id++)
            if (b[id].Op == Op.Param)
                seeds[id] = b.TangentParam(b[id].Ints[0], b[id].Shape, b[id].Name);
        return seeds;
    }

    private static HashSet<int> LinearNodes(ProgramBuilder b, IEnumerable<int> tangentParams)
    {
        var linear = new HashSet<int>(tangentParams);
        if (linear.Count == 0)
            return linear;
        for (int id = linear.Min(); id < b.Count; id++)
            if (b[id].Inputs.Any(linear.Contains) && !OpFacts.HasSideEffects(b[id].Op))
                linear.Add(id);
        return linear;
    }

    private static HashSet<int> LiveLinear(ProgramBuilder b, int output, HashSet<int> linear)
    {
        var live = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(output);
        while (stack.Count > 0)
        {
            int id = stack.Pop();
            if (!linear.Contains(id) || !live.Add(id))
                continue;
            foreach (int input in b[id].Inputs)
                stack.Push(input);
        }
        return live;
    }

    private static IrProgram WithoutOutputs(IrProgram program, out int output)
    {
        output = program.Nodes.Last(n => n.Op == Op.Output).Input(0);
        return new IrProgram(program.Nodes.Where(n => n.Op != Op.Output).ToArray().ToEquatableArrayUnchecked());
    }

    /// <summary>Removes nodes no statement needs and renumbers the rest, keeping SSA order.</summary>
    public static IrProgram EliminateDeadCode(IrProgram program)
    {
        var live = new bool[program.Count];
        for (int id = program.Count - 1; id >= 0; id--)
        {
            if (OpFacts.HasSideEffects(program[id].Op) && program[id].Op != Op.CtSlot)
                live[id] = true;
            if (live[id])
                foreach (int input in program[id].Inputs)
                    live[input] = true;
        }
        var map = new int[program.Count];
        var nodes = new List<IrNode>();
        for (int id = 0; id < program.Count; id++)
        {
            if (!live[id])
                continue;
            map[id] = nodes.Count;
            var node = program[id];
            nodes.Add(node with { Inputs = node.Inputs.Select(i => map[i]).ToArray().ToEquatableArrayUnchecked() });
        }
        return new IrProgram(nodes.ToArray().ToEquatableArrayUnchecked());
    }
}
