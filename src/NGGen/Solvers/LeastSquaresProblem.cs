namespace NGGen.Solvers;

/// <summary>One block of residuals: a model function evaluated on its own samples, minus targets,
/// weighted. Cost contribution: ½·w·Σ (F(θ, xₛ) − yₛ)².</summary>
/// <param name="Function">The model function id (e.g. <c>PoissonNet.InteriorFunction</c>).</param>
/// <param name="Inputs">Feature-major inputs (input size × <paramref name="Batch"/>).</param>
/// <param name="Batch">Number of samples.</param>
/// <param name="Targets">Feature-major targets (output size × batch), or null for zero targets.</param>
/// <param name="Weight">The block's weight w (e.g. 1/batch for a mean).</param>
/// <param name="Loss">A robust loss applied to each residual (cost ½ρ(r²)); null for least squares.
/// Only <see cref="LevenbergMarquardt"/> supports robust losses so far.</param>
public sealed record ResidualBlock(int Function, double[] Inputs, int Batch, double[]? Targets = null, double Weight = 1.0, RobustLoss? Loss = null);

/// <summary>
/// A weighted nonlinear least-squares problem over a generated model: residuals r = √w (F(θ) − y)
/// stacked over blocks, cost ½‖r‖². Matrix-free J·v and Jᵀ·u come from the generated code; the dense
/// Jacobian (for small parameter counts) is assembled from J·eⱼ. All buffers are allocated once.
/// </summary>
public sealed class LeastSquaresProblem<TModel> where TModel : IModel<TModel>
{
    private readonly ResidualBlock[] _blocks;
    private readonly int[] _offsets;
    private readonly double[] _workspace;
    private readonly double[] _unit;
    private readonly double[] _column;

    public LeastSquaresProblem(params ResidualBlock[] blocks)
    {
        if (blocks.Length == 0)
            throw new ArgumentException("A problem needs at least one residual block.", nameof(blocks));
        _blocks = blocks;
        _offsets = new int[blocks.Length + 1];
        int workspace = 0;
        for (int b = 0; b < blocks.Length; b++)
        {
            var block = blocks[b];
            if ((uint)block.Function >= (uint)TModel.Functions.Count)
                throw new ArgumentOutOfRangeException(nameof(blocks), $"Block {b}: {TModel.Name} has no function {block.Function}.");
            var info = TModel.Functions[block.Function];
            if (block.Batch <= 0)
                throw new ArgumentException($"Block {b} ({info.Name}): the batch must be positive.", nameof(blocks));
            if (block.Inputs.Length != info.InputSize * block.Batch)
                throw new ArgumentException($"Block {b} ({info.Name}): inputs have {block.Inputs.Length} entries, expected {info.InputSize} × {block.Batch}.", nameof(blocks));
            if (block.Targets is { } targets && targets.Length != info.OutputSize * block.Batch)
                throw new ArgumentException($"Block {b} ({info.Name}): targets have {targets.Length} entries, expected {info.OutputSize} × {block.Batch}.", nameof(blocks));
            if (block.Loss is { } loss && !(loss.Scale > 0 && double.IsFinite(loss.Scale)))
                throw new ArgumentException($"Block {b} ({info.Name}): the robust loss scale must be positive and finite, got {loss.Scale}.", nameof(blocks));
            if (!(block.Weight > 0) || double.IsInfinity(block.Weight))
                throw new ArgumentException($"Block {b} ({info.Name}): the weight must be positive and finite, got {block.Weight}.", nameof(blocks));
            CheckFinite(block.Inputs, $"block {b} ({info.Name}) inputs");
            if (block.Targets is not null)
                CheckFinite(block.Targets, $"block {b} ({info.Name}) targets");
            _offsets[b + 1] = _offsets[b] + info.OutputSize * block.Batch;
            foreach (var kind in new[] { EvaluationKind.Forward, EvaluationKind.Jvp, EvaluationKind.Vjp })
                workspace = Math.Max(workspace, TModel.WorkspaceLength(block.Function, kind, block.Batch));
        }
        _workspace = new double[workspace];
        // Fixed at construction: Cost consults it on every call (line searches, Adam steps).
        HasRobustLoss = blocks.Any(b => b.Loss is { Kind: not RobustLossKind.Squared });
        _unit = new double[TModel.ParameterCount];
        _column = new double[ResidualCount];
    }

    /// <summary>Number of parameters p.</summary>
    public int ParameterCount => TModel.ParameterCount;

    /// <summary>Number of stacked residuals m.</summary>
    public int ResidualCount => _offsets[^1];

    /// <summary>The residual blocks.</summary>
    public IReadOnlyList<ResidualBlock> Blocks => _blocks;

    /// <summary>r = √w (F(θ) − y), stacked over blocks.</summary>
    public void Residuals(ReadOnlySpan<double> theta, Span<double> residuals)
    {
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            var r = residuals[_offsets[b].._offsets[b + 1]];
            TModel.Forward(block.Function, theta, block.Inputs, block.Batch, r, _workspace);
            if (block.Targets is { } targets)
                System.Numerics.Tensors.TensorPrimitives.Subtract(r, targets, r);
            if (block.Weight != 1)
                System.Numerics.Tensors.TensorPrimitives.Multiply(r, Math.Sqrt(block.Weight), r);
        }
    }

    /// <summary>True when a block uses a robust loss (then the cost is ½Σρ(rᵢ²), not ½‖r‖²).</summary>
    public bool HasRobustLoss { get; }

    /// <summary>The robust loss of stacked residual i (null for least squares).</summary>
    public RobustLoss? LossOf(int residual)
    {
        for (int b = 0; b < _blocks.Length; b++)
            if (residual < _offsets[b + 1])
                return _blocks[b].Loss;
        throw new ArgumentOutOfRangeException(nameof(residual));
    }

    /// <summary>The cost at θ: ½‖r‖², or ½Σρ(rᵢ²) with robust losses; <paramref name="residuals"/> (length m) receives r.</summary>
    public double Cost(ReadOnlySpan<double> theta, Span<double> residuals)
    {
        Residuals(theta, residuals);
        if (!HasRobustLoss)
            return 0.5 * System.Numerics.Tensors.TensorPrimitives.Dot<double>(residuals[..ResidualCount], residuals[..ResidualCount]);
        double cost = 0;
        for (int b = 0; b < _blocks.Length; b++)
        {
            var loss = _blocks[b].Loss;
            for (int i = _offsets[b]; i < _offsets[b + 1]; i++)
                cost += loss is null ? residuals[i] * residuals[i] : loss.Evaluate(residuals[i] * residuals[i]).Value;
        }
        return 0.5 * cost;
    }

    /// <summary>Throws a clear error when a solver that assumes ½‖r‖² is given robust losses.</summary>
    public void RequireSquaredLoss(string solver)
    {
        if (HasRobustLoss)
            throw new NotSupportedException($"{solver} minimises ½‖r‖²; this problem has robust losses, which only LevenbergMarquardt supports so far. Remove the Loss from the residual blocks or use LevenbergMarquardt.");
    }

    /// <summary>J·v, stacked (J = ∂r/∂θ).</summary>
    public void Jvp(ReadOnlySpan<double> theta, ReadOnlySpan<double> tangent, Span<double> result)
    {
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            var jv = result[_offsets[b].._offsets[b + 1]];
            TModel.Jvp(block.Function, theta, block.Inputs, block.Batch, tangent, jv, _workspace);
            if (block.Weight != 1)
                System.Numerics.Tensors.TensorPrimitives.Multiply(jv, Math.Sqrt(block.Weight), jv);
        }
    }

    /// <summary>gradient += Jᵀ·u (u stacked like the residuals; <paramref name="scratch"/> has length m).</summary>
    public void Vjp(ReadOnlySpan<double> theta, ReadOnlySpan<double> cotangent, Span<double> gradient, Span<double> scratch)
    {
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            var u = cotangent[_offsets[b].._offsets[b + 1]];
            if (block.Weight != 1)
            {
                var scaled = scratch[_offsets[b].._offsets[b + 1]];
                System.Numerics.Tensors.TensorPrimitives.Multiply(u, Math.Sqrt(block.Weight), scaled);
                u = scaled;
            }
            TModel.Vjp(block.Function, theta, block.Inputs, block.Batch, u, gradient, _workspace);
        }
    }

    /// <summary>The dense m×p Jacobian (row-major), assembled column by column from J·eⱼ.</summary>
    public void Jacobian(ReadOnlySpan<double> theta, Span<double> jacobian)
    {
        int m = ResidualCount, p = ParameterCount;
        for (int j = 0; j < p; j++)
        {
            _unit[j] = 1;
            Jvp(theta, _unit, _column);
            _unit[j] = 0;
            for (int i = 0; i < m; i++)
                jacobian[i * p + j] = _column[i];
        }
    }

    private static void CheckFinite(double[] values, string what)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"The {what} contain {values[i]} at index {i}.");
    }
}
