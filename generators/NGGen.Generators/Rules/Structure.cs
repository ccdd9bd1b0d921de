using NGGen.Generators.Ir;

namespace NGGen.Generators.Rules;

/// <summary>Structural primitives (all linear): Gather, Concat, Broadcast, SumFeatures, BatchSum.</summary>
internal static partial class PrimitiveRules
{
    private static int? StructureJvp(ProgramBuilder b, int id, int?[] dx)
    {
        var node = b[id];
        switch (node.Op)
        {
            case Op.Gather:
                return b.Gather(dx[0]!.Value, node.Ints.ToArray(), node.Shape);
            case Op.Concat:
                return b.Concat(node.Inputs.Select((p, i) => dx[i] ?? b.Zeros(b[p].Shape)).ToArray());
            case Op.Broadcast:
                return b.Broadcast(dx[0]!.Value, node.Shape);
            case Op.SumFeatures:
                return b.SumFeatures(dx[0]!.Value);
            case Op.BatchSum:
                // Linear in its input; a tangent shared by all samples would sum to batch × itself,
                // which the IR cannot express without the batch size, so it must be per-sample.
                if (!b[dx[0]!.Value].Batched)
                    throw new InvalidOperationException("BatchSum of a tangent shared by all samples");
                return b.BatchSum(dx[0]!.Value);
            default:
                throw new InvalidOperationException($"no JVP rule for {node.Op}");
        }
    }

    private static void StructureTranspose(TransposeContext context, int id, int ct)
    {
        var b = context.Builder;
        var node = b[id];
        switch (node.Op)
        {
            case Op.Gather:
                context.Scatter(node.Input(0), ct, node.Ints.ToArray());
                break;
            case Op.Concat:
            {
                int offset = 0;
                foreach (int part in node.Inputs)
                {
                    var shape = b[part].Shape;
                    if (context.IsLinear(part))
                        context.Contribute(part, b.Gather(ct, Enumerable.Range(offset, shape.Size).ToArray(), shape));
                    offset += shape.Size;
                }
                break;
            }
            case Op.Broadcast:
                context.Contribute(node.Input(0), b.SumFeatures(ct));
                break;
            case Op.SumFeatures:
                context.Contribute(node.Input(0), b.Broadcast(ct, b[node.Input(0)].Shape));
                break;
            case Op.BatchSum:
                // The transpose of a sum over samples repeats the (shared) cotangent for every sample;
                // the Accumulate into the batched slot performs that broadcast.
                context.Contribute(node.Input(0), ct);
                break;
            default:
                throw new InvalidOperationException($"no transpose rule for {node.Op}");
        }
    }
}
