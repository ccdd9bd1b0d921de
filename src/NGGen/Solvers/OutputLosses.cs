namespace NGGen.Solvers;

/// <summary>
/// Per-block loss arithmetic in the stacked coordinates of <see cref="TrainingProblem{TModel}"/>: the
/// weighted cost, the output gradient g = √w ∂ℓ/∂z and the curvature H = ∂²ℓ/∂z² (whose √w factors sit
/// in J). Data are feature-major: output entry c of sample s at c·batch + s.
/// </summary>
internal static class OutputLosses
{
    /// <summary>Returns the block's weighted cost; on entry <paramref name="outputs"/> holds z = F(θ, x), on
    /// exit g. <paramref name="curvature"/> receives H's diagonal, or the softmax probabilities.</summary>
    public static double Evaluate(ResidualBlock block, int outputSize, Span<double> outputs, Span<double> curvature, double rootWeight)
    {
        var targets = block.Targets;
        double cost = 0;
        switch (block.OutputLoss)
        {
            case OutputLoss.Squared:
                for (int i = 0; i < outputs.Length; i++)
                {
                    double r = rootWeight * (outputs[i] - (targets is null ? 0 : targets[i]));
                    if (block.Loss is { } loss)
                    {
                        // φ(r) = ½ρ(r²): φ' = ρ'r, φ'' = ρ' + 2ρ''r² (clipped: a Gauss-Newton curvature is ≥ 0).
                        var (value, first, second) = loss.Evaluate(r * r);
                        cost += 0.5 * value;
                        outputs[i] = first * r;
                        curvature[i] = Math.Max(first + 2 * second * r * r, 0);
                    }
                    else
                    {
                        cost += 0.5 * r * r;
                        outputs[i] = r;
                        curvature[i] = 1;
                    }
                }
                return cost;
            case OutputLoss.Logistic:
                for (int i = 0; i < outputs.Length; i++)
                {
                    double z = outputs[i], y = targets![i];
                    // σ(−z) rather than 1 − σ(z): the latter rounds to 0 for z ≳ 37 and loses digits
                    // from z ≈ 17, which would freeze confident samples' gradients and curvature.
                    double p = Sigmoid(z), q = Sigmoid(-z);
                    // softplus(z) − y·z, as (1 − y)·z + softplus(−z) for z > 0 (the same value, since softplus(z) =
                    // z + softplus(−z)): written directly it cancels for confident samples (z ≫ 0, y = 1) and gave 0.
                    cost += z > 0 ? ((1 - y) * z) + Ops.Softplus(-z) : Ops.Softplus(z) - (y * z);
                    outputs[i] = rootWeight * ((1 - y) * p - y * q);
                    curvature[i] = p * q;
                }
                return block.Weight * cost;
            default:
            {
                int batch = block.Batch;
                // log Σ e^z = max + log1p(rest), rest = Σ over the other classes of e^(z − max), and every difference
                // taken before it is added: max + log(1 + rest) and then − z would round a confident sample's loss
                // (rest below 1e-16) to 0. The leading class's p − y is (1 − y) − rest/(1 + rest) for the same reason,
                // as the logistic loss uses σ(−z) (at rest = 1e-20, p − 1 computed as written is 0).
                for (int s = 0; s < batch; s++)
                {
                    int lead = 0;
                    for (int c = 1; c < outputSize; c++)
                        if (outputs[c * batch + s] > outputs[lead * batch + s])
                            lead = c;
                    double max = outputs[lead * batch + s];
                    double rest = 0;
                    for (int c = 0; c < outputSize; c++)
                        if (c != lead)
                            rest += Math.Exp(outputs[c * batch + s] - max);
                    double logPartition = Ops.Log1p(rest); // log Σ e^z − max
                    for (int c = 0; c < outputSize; c++)
                    {
                        int i = c * batch + s;
                        double shifted = outputs[i] - max;
                        double p = Math.Exp(shifted - logPartition);
                        cost += targets![i] * (logPartition - shifted);
                        outputs[i] = rootWeight * (c == lead ? (1 - targets[i]) - (rest / (1 + rest)) : p - targets[i]);
                        curvature[i] = p;
                    }
                }
                return block.Weight * cost;
            }
        }
    }

    /// <summary>result = H·u for one block: diagonal, or diag(p) − ppᵀ per sample for softmax.</summary>
    public static void ApplyCurvature(ResidualBlock block, int outputSize, ReadOnlySpan<double> curvature, ReadOnlySpan<double> u, Span<double> result)
    {
        if (block.OutputLoss != OutputLoss.SoftmaxCrossEntropy)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(curvature, u, result);
            return;
        }
        int batch = block.Batch;
        for (int s = 0; s < batch; s++)
        {
            double pu = 0;
            for (int c = 0; c < outputSize; c++)
                pu += curvature[c * batch + s] * u[c * batch + s];
            for (int c = 0; c < outputSize; c++)
            {
                int i = c * batch + s;
                result[i] = curvature[i] * (u[i] - pu);
            }
        }
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
