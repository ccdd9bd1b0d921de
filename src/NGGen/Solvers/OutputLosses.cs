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
                    cost += Ops.Softplus(z) - y * z;
                    outputs[i] = rootWeight * ((1 - y) * p - y * q);
                    curvature[i] = p * q;
                }
                return block.Weight * cost;
            default:
            {
                int batch = block.Batch;
                for (int s = 0; s < batch; s++)
                {
                    double max = double.NegativeInfinity;
                    for (int c = 0; c < outputSize; c++)
                        max = Math.Max(max, outputs[c * batch + s]);
                    double sum = 0;
                    for (int c = 0; c < outputSize; c++)
                        sum += Math.Exp(outputs[c * batch + s] - max);
                    double logSumExp = max + Math.Log(sum);
                    for (int c = 0; c < outputSize; c++)
                    {
                        int i = c * batch + s;
                        double p = Math.Exp(outputs[i] - logSumExp);
                        cost += targets![i] * (logSumExp - outputs[i]);
                        outputs[i] = rootWeight * (p - targets[i]);
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
