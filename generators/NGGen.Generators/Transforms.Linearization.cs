using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;

namespace NGGen.Generators;

/// <summary>The three programs of a linearization: run the forward once, then apply J and Jᵀ many times.</summary>
/// <param name="Linearize">The forward program that also keeps every primal value J and Jᵀ need.</param>
/// <param name="Jvp">J·v reading those values instead of recomputing the forward.</param>
/// <param name="Vjp">gradient += Jᵀ·u reading those values.</param>
/// <param name="BatchedRows">Linearization entries per sample.</param>
/// <param name="UnbatchedLength">Linearization entries shared by all samples.</param>
internal sealed record LinearizedPrograms(IrProgram Linearize, IrProgram Jvp, IrProgram Vjp, int BatchedRows, int UnbatchedLength);

internal static partial class Transforms
{
    private enum Part { Primal, Tangent, Transposed }

    /// <summary>
    /// Splits a function's JVP and VJP at the primal values they read. Krylov solvers apply J and Jᵀ
    /// dozens of times at one θ; recomputing the forward in each product is what made a Gauss-Newton
    /// product cost two forwards more than a gradient. Primal values the linear parts use (activations,
    /// derivative factors such as 1 − tanh²) are stored once by <c>Linearize</c>; leaves (θ, inputs,
    /// constants) and gathers of leaves are read in place.
    /// </summary>
    public static LinearizedPrograms Linearization(IrProgram forward)
    {
        var (b, output, tangentOutput) = LinearizeAndTranspose(forward);
        var all = b.ToProgram();
        var parts = Classify(all);

        // Candidate program per linear part with every non-free primal node read from the buffer;
        // dead-code elimination then tells which ones the part really reads. Then the same with the cheap values
        // that can be recomputed from one of those instead (Recomputable), which the buffer then does not hold.
        var stored = new HashSet<int>(Placeholders(SplitPart(all, parts, Part.Tangent, tangentOutput, output, []))
            .Concat(Placeholders(SplitPart(all, parts, Part.Transposed, null, output, []))));
        var recomputed = Recomputable(all, parts, stored);
        var jvpNodes = SplitPart(all, parts, Part.Tangent, tangentOutput, output, recomputed);
        var vjpNodes = SplitPart(all, parts, Part.Transposed, null, output, recomputed);
        var used = new SortedSet<int>(Placeholders(jvpNodes).Concat(Placeholders(vjpNodes)));

        // Buffer layout: batched values by rows first, then the shared ones.
        var offsets = new Dictionary<int, int>();
        int rows = 0, shared = 0;
        foreach (int id in used)
        {
            var node = all[id];
            offsets[id] = node.Batched ? rows : shared;
            if (node.Batched)
                rows += node.Shape.Size;
            else
                shared += node.Shape.Size;
        }

        var linearize = new List<IrNode>();
        var map = new int[all.Count];
        for (int id = 0; id < all.Count; id++)
        {
            if (parts[id] != Part.Primal)
                continue;
            map[id] = linearize.Count;
            linearize.Add(Renumbered(all[id], map));
        }
        linearize.Add(Leaf(Op.Output, [map[output]], all[output]));
        foreach (int id in used)
            linearize.Add(Leaf(Op.Save, [map[id]], all[id], offsets[id]));

        return new LinearizedPrograms(
            EliminateDeadCode(Program(linearize)),
            EliminateDeadCode(Program(Resolve(jvpNodes, offsets))),
            EliminateDeadCode(Program(Resolve(vjpNodes, offsets))),
            rows, shared);
    }

    private static Part[] Classify(IrProgram program)
    {
        var parts = new Part[program.Count];
        for (int id = 0; id < program.Count; id++)
        {
            var node = program[id];
            if (node.Op == Op.TangentParam)
                parts[id] = Part.Tangent;
            else if (node.Op is Op.CotangentInput or Op.CtSlot)
                parts[id] = Part.Transposed;
            else
            {
                bool tangent = node.Inputs.Any(i => parts[i] == Part.Tangent);
                bool transposed = node.Inputs.Any(i => parts[i] == Part.Transposed);
                if (tangent && transposed)
                    throw new InvalidOperationException($"node {id} ({node.Op}) mixes tangents and cotangents");
                parts[id] = tangent ? Part.Tangent : transposed ? Part.Transposed : Part.Primal;
            }
        }
        return parts;
    }

    /// <summary>Leaves and gathers of leaves cost nothing to re-read; everything else primal is stored.</summary>
    private static bool IsFree(IrProgram program, int id)
    {
        var node = program[id];
        bool IsLeaf(IrNode n) => n.Op is Op.Input or Op.Param or Op.Const;
        return IsLeaf(node) || (node.Op == Op.Gather && IsLeaf(program[node.Input(0)]));
    }

    /// <summary>
    /// Primal values the linear parts recompute instead of reading them from the buffer: sums, differences,
    /// products and negations of free values and of at most one value the buffer holds anyway (<paramref name="stored"/>),
    /// through chains of such. tanh's derivative 1 − h·h is the case: the weight gradients read h, so storing 1 − h·h
    /// as well wrote and read a second array per layer (1 MiB per layer at width 1024 and batch 256); recomputed
    /// where it is used, it costs a multiply and a subtraction per element in a loop that reads h instead. Chains over
    /// two stored values are left stored: recomputing them would read two arrays where one was read.
    /// </summary>
    private static HashSet<int> Recomputable(IrProgram all, Part[] parts, HashSet<int> stored)
    {
        // Each recomputed value and the kept values its chain reads.
        var recomputed = new Dictionary<int, HashSet<int>>();
        for (int id = 0; id < all.Count; id++)
        {
            var node = all[id];
            if (parts[id] != Part.Primal || IsFree(all, id) || node.Op is not (Op.Add or Op.Sub or Op.Mul or Op.Neg))
                continue;
            var reads = new HashSet<int>();
            bool cheap = true;
            foreach (int input in node.Inputs)
            {
                if (IsFree(all, input))
                    continue;
                if (recomputed.TryGetValue(input, out var chainReads))
                    reads.UnionWith(chainReads);
                else if (stored.Contains(input))
                    reads.Add(input);
                else
                    cheap = false;
            }
            if (!cheap || reads.Count > 1)
                continue;
            recomputed[id] = reads;
        }
        return [.. recomputed.Keys];
    }

    /// <summary>The nodes of one linear part in SSA order, with each stored primal value replaced by a
    /// Saved placeholder carrying its original id (resolved to an offset later); the <paramref name="recomputed"/>
    /// ones are kept as they are.</summary>
    private static List<IrNode> SplitPart(IrProgram all, Part[] parts, Part keep, int? output, int forwardOutput, HashSet<int> recomputed)
    {
        var nodes = new List<IrNode>();
        var map = new int[all.Count];
        for (int id = 0; id < all.Count; id++)
        {
            var node = all[id];
            if (parts[id] == Part.Primal && !IsFree(all, id) && !recomputed.Contains(id))
                node = Leaf(Op.Saved, [], node, id);
            else if (parts[id] != Part.Primal && parts[id] != keep)
                continue;
            map[id] = nodes.Count;
            nodes.Add(Renumbered(node, map));
        }
        if (keep == Part.Tangent)
        {
            if (output is int tangent)
            {
                nodes.Add(Leaf(Op.Output, [map[tangent]], all[tangent]));
            }
            else
            {
                // An output that does not depend on θ has J = 0 (the plain JVP emits zeros too).
                var primal = all[forwardOutput];
                var zeros = new IrNode(Op.Const, EquatableArray<int>.Empty, primal.Shape, false, EquatableArray<int>.Empty,
                    new double[primal.Shape.Size].ToEquatableArray(), "");
                nodes.Add(zeros);
                nodes.Add(Leaf(Op.Output, [nodes.Count - 1], primal));
            }
        }
        return nodes;
    }

    private static IEnumerable<int> Placeholders(List<IrNode> nodes) =>
        EliminateDeadCode(Program(nodes)).Nodes.Where(n => n.Op == Op.Saved).Select(n => n.Ints[0]);

    private static List<IrNode> Resolve(List<IrNode> nodes, Dictionary<int, int> offsets) =>
        nodes.Select(n => n.Op == Op.Saved && offsets.TryGetValue(n.Ints[0], out int offset) ? n with { Ints = new[] { offset }.ToEquatableArray() } : n).ToList();

    private static IrNode Renumbered(IrNode node, int[] map) =>
        node with { Inputs = node.Inputs.Select(i => map[i]).ToArray().ToEquatableArrayUnchecked() };

    private static IrNode Leaf(Op op, int[] inputs, IrNode like, int? integer = null) =>
        new(op, inputs.ToEquatableArrayUnchecked(), like.Shape, like.Batched,
            (integer is int i ? new[] { i } : []).ToEquatableArray(), EquatableArray<double>.Empty, like.Name);

    private static IrProgram Program(List<IrNode> nodes) => new(nodes.ToArray().ToEquatableArrayUnchecked());
}
