namespace NGGen.Solvers;

/// <summary>How a block's outputs z = F(θ, x) are scored against its targets y.</summary>
public enum OutputLoss
{
    /// <summary>½‖z − y‖² (optionally through a <see cref="RobustLoss"/>): least squares.</summary>
    Squared,
    /// <summary>Binary cross-entropy on logits: Σ softplus(z) − y·z, targets y ∈ [0, 1] (each output entry is one logit).</summary>
    Logistic,
    /// <summary>Softmax cross-entropy on logits: logsumexp(z) − yᵀz per sample, targets y a probability vector (usually one-hot).</summary>
    SoftmaxCrossEntropy,
}

/// <summary>One block of residuals: a model function evaluated on its own samples, scored against
/// targets, weighted. Cost contribution: w·Σₛ ℓ(F(θ, xₛ), yₛ) with ℓ(z, y) = ½‖z − y‖² by default.</summary>
/// <param name="Function">The model function id (e.g. <c>PoissonNet.InteriorFunction</c>).</param>
/// <param name="Inputs">Feature-major inputs (input size × <paramref name="Batch"/>).</param>
/// <param name="Batch">Number of samples.</param>
/// <param name="Targets">Feature-major targets (output size × batch), or null for zero targets.</param>
/// <param name="Weight">The block's weight w (e.g. 1/batch for a mean).</param>
/// <param name="Loss">A robust loss applied to each squared residual (cost ½ρ(r²)); null for least squares.</param>
/// <param name="OutputLoss">The loss on the outputs: squared (default), logistic or softmax cross-entropy
/// (the last two need targets; <paramref name="Loss"/> applies only to squared).</param>
public sealed record ResidualBlock(int Function, double[] Inputs, int Batch, double[]? Targets = null, double Weight = 1.0, RobustLoss? Loss = null,
    OutputLoss OutputLoss = OutputLoss.Squared);

/// <summary>
/// A training problem over a generated model: blocks of model outputs scored by a loss (squared, robust,
/// logistic or softmax cross-entropy), weighted, summed. Solvers see it in stacked "residual" coordinates
/// of length m: for least squares r = √w (F(θ) − y) and cost ½‖r‖²; in general J = √w ∂F/∂θ, the output
/// gradient g = √w ∂ℓ/∂z (so ∇L = Jᵀg) and the output curvature H = ∂²ℓ/∂z² (so the generalised
/// Gauss-Newton matrix is JᵀHJ). Matrix-free J·v and Jᵀ·u come from the generated code; the dense
/// Jacobian (for small parameter counts) is one Linearize plus p linearized products J·eⱼ. All buffers are allocated once.
/// </summary>
public sealed class TrainingProblem<TModel> where TModel : IModel<TModel>
{
    private readonly ResidualBlock[] _blocks;
    private readonly int[] _offsets;
    // On cache lines (AlignedMemory): whole-batch products split across the threads write here.
    private readonly Memory<double> _workspace;
    private readonly double[] _unit;
    private readonly double[] _column;
    // Per stacked entry at the last Evaluate: the curvature diagonal (squared, robust, logistic) or the
    // softmax probabilities (cross-entropy blocks).
    private readonly double[] _curvature;
    // Per block: the primal values the linearized J and Jᵀ read, kept by the last Evaluate.
    private readonly Memory<double>[] _linearizations;
    private readonly double[] _curvatureScratch;
    // Per block: its samples split into one shard per kernel thread when ShardedBatch's default says so (large batches
    // of small models), else null and the block runs as one batch with split products.
    private readonly ShardedBatch<TModel, double>?[] _sharded;

    public TrainingProblem(params ResidualBlock[] blocks)
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
            if (block.OutputLoss != OutputLoss.Squared)
                CheckClassificationTargets(block, b, info);
            _offsets[b + 1] = _offsets[b] + info.OutputSize * block.Batch;
            foreach (var kind in Enum.GetValues<EvaluationKind>())
                workspace = Math.Max(workspace, TModel.WorkspaceLength(block.Function, kind, block.Batch));
        }
        _workspace = AlignedMemory.Allocate<double>(workspace);
        // Fixed at construction: Cost consults it on every call (line searches, Adam steps).
        HasRobustLoss = blocks.Any(b => b.Loss is { Kind: not RobustLossKind.Squared });
        IsLeastSquares = blocks.All(b => b.OutputLoss == OutputLoss.Squared);
        _unit = new double[TModel.ParameterCount];
        _column = new double[ResidualCount];
        _curvature = new double[ResidualCount];
        _curvatureScratch = new double[ResidualCount];
        _sharded = blocks.Select(b => ShardedBatch<TModel, double>.DefaultShards(b.Batch) > 1 ? new ShardedBatch<TModel, double>(b.Function, b.Inputs, b.Batch) : null).ToArray();
        _linearizations = blocks.Select((b, i) => AlignedMemory.Allocate<double>(_sharded[i] is null ? TModel.LinearizationLength(b.Function, b.Batch) : 0)).ToArray();
        BlockShards = Array.AsReadOnly(_sharded.Select(s => s?.ShardCount ?? 1).ToArray());
    }

    /// <summary>Shards each block's samples are split into (1: the block runs as one batch); see
    /// <see cref="ShardedBatch{TModel, T}.DefaultShards"/>.</summary>
    public IReadOnlyList<int> BlockShards { get; }

    private void ForwardBlock(int b, ReadOnlySpan<double> theta, Span<double> outputs)
    {
        var block = _blocks[b];
        if (_sharded[b] is { } sharded)
            sharded.Forward(theta, outputs);
        else
            TModel.Forward(block.Function, theta, block.Inputs, block.Batch, outputs, _workspace.Span);
    }

    private void LinearizeBlock(int b, ReadOnlySpan<double> theta, Span<double> outputs)
    {
        var block = _blocks[b];
        if (_sharded[b] is { } sharded)
            sharded.Linearize(theta, outputs);
        else
            TModel.Linearize(block.Function, theta, block.Inputs, block.Batch, _linearizations[b].Span, outputs, _workspace.Span);
    }

    /// <summary>Number of parameters p.</summary>
    public int ParameterCount => TModel.ParameterCount;

    /// <summary>Number of stacked residuals (outputs) m.</summary>
    public int ResidualCount => _offsets[^1];

    /// <summary>The residual blocks.</summary>
    public IReadOnlyList<ResidualBlock> Blocks => _blocks;

    /// <summary>True when every block uses the squared loss (possibly robust): the cost is a sum of squares.</summary>
    public bool IsLeastSquares { get; }

    /// <summary>r = √w (F(θ) − y), stacked over blocks (least-squares blocks; others get √w·F).</summary>
    public void Residuals(ReadOnlySpan<double> theta, Span<double> residuals)
    {
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            var r = residuals[_offsets[b].._offsets[b + 1]];
            ForwardBlock(b, theta, r);
            if (block.Targets is { } targets && block.OutputLoss == OutputLoss.Squared)
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

    /// <summary>The least-squares cost at θ: ½‖r‖², or ½Σρ(rᵢ²) with robust losses; <paramref name="residuals"/>
    /// (length m) receives r. For problems with classification losses use <see cref="Evaluate"/>.</summary>
    public double Cost(ReadOnlySpan<double> theta, Span<double> residuals)
    {
        RequireLeastSquares("Cost (residual form)");
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

    /// <summary>
    /// The cost L(θ) for any loss, with the stacked output gradient g (∇L = Jᵀg; for plain least squares
    /// g = r) written to <paramref name="outputGradient"/> (length m). Also records the output curvature
    /// at θ for <see cref="ApplyCurvature"/> and linearizes the model there for <see cref="LinearizedJvp"/>,
    /// <see cref="LinearizedVjp"/> and <see cref="GaussNewtonProduct"/>. Allocates nothing.
    /// </summary>
    public double Evaluate(ReadOnlySpan<double> theta, Span<double> outputGradient)
    {
        double cost = 0;
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            int count = _offsets[b + 1] - _offsets[b];
            var g = outputGradient.Slice(_offsets[b], count);
            var h = _curvature.AsSpan(_offsets[b], count);
            LinearizeBlock(b, theta, g);
            double rootWeight = Math.Sqrt(block.Weight);
            cost += OutputLosses.Evaluate(block, TModel.Functions[block.Function].OutputSize, g, h, rootWeight);
        }
        return cost;
    }

    /// <summary>The cost L(θ) alone, leaving the linearization and curvature of the last <see cref="Evaluate"/>
    /// untouched (for trial points of a line search or trust region). <paramref name="scratch"/> has length m.</summary>
    public double CostAt(ReadOnlySpan<double> theta, Span<double> scratch)
    {
        double cost = 0;
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            int count = _offsets[b + 1] - _offsets[b];
            var z = scratch.Slice(_offsets[b], count);
            ForwardBlock(b, theta, z);
            cost += OutputLosses.Evaluate(block, TModel.Functions[block.Function].OutputSize, z, _curvatureScratch.AsSpan(_offsets[b], count), Math.Sqrt(block.Weight));
        }
        return cost;
    }

    /// <summary>result = H·u at the point of the last <see cref="Evaluate"/>: the loss curvature in the
    /// stacked coordinates (identity for least squares; positive semi-definite always).</summary>
    public void ApplyCurvature(ReadOnlySpan<double> u, Span<double> result)
    {
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            int start = _offsets[b], count = _offsets[b + 1] - start;
            OutputLosses.ApplyCurvature(block, TModel.Functions[block.Function].OutputSize,
                _curvature.AsSpan(start, count), u.Slice(start, count), result.Slice(start, count));
        }
    }

    /// <summary>J·v at the point of the last <see cref="Evaluate"/> (θ must be unchanged since): no forward pass.</summary>
    public void LinearizedJvp(ReadOnlySpan<double> theta, ReadOnlySpan<double> tangent, Span<double> result) =>
        StackedJvp(theta, tangent, result, linearized: true);

    /// <summary>gradient += Jᵀ·u at the point of the last <see cref="Evaluate"/>: no forward pass. With
    /// <paramref name="write"/> <see cref="GradientWrite.Overwrite"/>, gradient = Jᵀ·u and its old contents are never read.</summary>
    public void LinearizedVjp(ReadOnlySpan<double> theta, ReadOnlySpan<double> cotangent, Span<double> gradient, Span<double> scratch,
        GradientWrite write = GradientWrite.Accumulate) =>
        StackedVjp(theta, cotangent, gradient, scratch, linearized: true, write);

    /// <summary>
    /// result = JᵀHJ·v, the generalised Gauss-Newton product at the point of the last <see cref="Evaluate"/>:
    /// one linearized JVP, the loss curvature, one linearized VJP; the forward pass is not repeated.
    /// <paramref name="scratch"/> has length m.
    /// </summary>
    public void GaussNewtonProduct(ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> result, Span<double> scratch)
    {
        // One sharded block of plain squared residuals (H = I): each shard runs J·v and Jᵀ(J·v) back to back on its own
        // thread, its tangent outputs still in cache, and the weight scales the sum once: one fork rather than three,
        // and no passes over the stacked outputs.
        if (_blocks.Length == 1 && _sharded[0] is { } sharded && IsPlainSquared(_blocks[0]))
        {
            sharded.GaussNewtonProduct(theta, v, result);
            if (_blocks[0].Weight != 1)
                NGGen.Kernels.CachedArithmetic.Scale(_blocks[0].Weight, result);
            return;
        }

        LinearizedJvp(theta, v, scratch);
        ApplyCurvature(scratch, _curvatureScratch);
        LinearizedVjp(theta, _curvatureScratch, result, scratch, GradientWrite.Overwrite);
    }

    private static bool IsPlainSquared(ResidualBlock block) => block.OutputLoss == OutputLoss.Squared && block.Loss is null;

    /// <summary>Throws a clear error when a solver that assumes ½‖r‖² is given robust or classification losses.</summary>
    public void RequireSquaredLoss(string solver)
    {
        RequireLeastSquares(solver);
        if (HasRobustLoss)
            throw new NotSupportedException($"{solver} minimises ½‖r‖²; this problem has robust losses, which it does not support. Remove the Loss from the residual blocks or use LevenbergMarquardt, Adam, L-BFGS or gradient descent.");
    }

    /// <summary>Throws a clear error when a least-squares solver is given logistic or cross-entropy blocks.</summary>
    public void RequireLeastSquares(string solver)
    {
        if (!IsLeastSquares)
        {
            int b = Array.FindIndex(_blocks, x => x.OutputLoss != OutputLoss.Squared);
            throw new NotSupportedException($"{solver} needs least-squares residuals; block {b} ({TModel.Functions[_blocks[b].Function].Name}) uses {_blocks[b].OutputLoss}. " +
                "Use GaussNewtonCg, DualGaussNewton, NaturalGradient, Adam, L-BFGS or gradient descent for classification losses.");
        }
    }
    /// <summary>J·v, stacked (J = ∂r/∂θ).</summary>
    public void Jvp(ReadOnlySpan<double> theta, ReadOnlySpan<double> tangent, Span<double> result) =>
        StackedJvp(theta, tangent, result, linearized: false);

    /// <summary>gradient += Jᵀ·u (u stacked like the residuals; <paramref name="scratch"/> has length m), or
    /// gradient = Jᵀ·u with <paramref name="write"/> <see cref="GradientWrite.Overwrite"/>.</summary>
    public void Vjp(ReadOnlySpan<double> theta, ReadOnlySpan<double> cotangent, Span<double> gradient, Span<double> scratch,
        GradientWrite write = GradientWrite.Accumulate) =>
        StackedVjp(theta, cotangent, gradient, scratch, linearized: false, write);

    // J = √w ∂F/∂θ per block; linearized products read the block's linearization instead of rerunning the forward.
    private void StackedJvp(ReadOnlySpan<double> theta, ReadOnlySpan<double> tangent, Span<double> result, bool linearized)
    {
        for (int b = 0; b < _blocks.Length; b++)
        {
            var block = _blocks[b];
            var jv = result[_offsets[b].._offsets[b + 1]];
            if (linearized && _sharded[b] is { } sharded)
                sharded.LinearizedJvp(theta, tangent, jv);
            else if (linearized)
                TModel.LinearizedJvp(block.Function, theta, block.Inputs, block.Batch, _linearizations[b].Span, tangent, jv, _workspace.Span);
            else
                TModel.Jvp(block.Function, theta, block.Inputs, block.Batch, tangent, jv, _workspace.Span);
            if (block.Weight != 1)
                System.Numerics.Tensors.TensorPrimitives.Multiply(jv, Math.Sqrt(block.Weight), jv);
        }
    }

    // The first block writes as asked (a problem has at least one); the others add their blocks' sums onto it.
    private void StackedVjp(ReadOnlySpan<double> theta, ReadOnlySpan<double> cotangent, Span<double> gradient, Span<double> scratch, bool linearized, GradientWrite write)
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
            var blockWrite = b == 0 ? write : GradientWrite.Accumulate;
            if (linearized && _sharded[b] is { } sharded)
                sharded.LinearizedVjp(theta, u, gradient, blockWrite);
            else if (linearized)
                TModel.LinearizedVjp(block.Function, theta, block.Inputs, block.Batch, _linearizations[b].Span, u, gradient, _workspace.Span, blockWrite);
            else
                TModel.Vjp(block.Function, theta, block.Inputs, block.Batch, u, gradient, _workspace.Span, blockWrite);
        }
    }

    /// <summary>The dense m×p Jacobian (row-major), assembled column by column from J·eⱼ: one forward pass
    /// (Linearize) and p linearized JVPs. Leaves the linearization at θ (the curvature of the last
    /// <see cref="Evaluate"/> is untouched).</summary>
    public void Jacobian(ReadOnlySpan<double> theta, Span<double> jacobian)
    {
        int m = ResidualCount, p = ParameterCount;
        for (int b = 0; b < _blocks.Length; b++)
            LinearizeBlock(b, theta, _column.AsSpan(_offsets[b], _offsets[b + 1] - _offsets[b]));
        for (int j = 0; j < p; j++)
        {
            _unit[j] = 1;
            LinearizedJvp(theta, _unit, _column);
            _unit[j] = 0;
            for (int i = 0; i < m; i++)
                jacobian[i * p + j] = _column[i];
        }
    }

    /// <summary>The dense Jacobian in column-major order (column j, ∂r/∂θⱼ, at j·m, length m), what QR-based solvers
    /// factor: one forward pass (Linearize) and p linearized JVPs, each written straight into its column. Leaves the
    /// linearization at θ (the curvature of the last <see cref="Evaluate"/> is untouched). Allocates nothing.</summary>
    public void JacobianColumns(ReadOnlySpan<double> theta, Span<double> columns)
    {
        int m = ResidualCount, p = ParameterCount;
        if (columns.Length < m * p)
            throw new ArgumentException($"The column-major Jacobian needs {m} × {p} = {m * p} entries, got {columns.Length}.", nameof(columns));
        for (int b = 0; b < _blocks.Length; b++)
            LinearizeBlock(b, theta, _column.AsSpan(_offsets[b], _offsets[b + 1] - _offsets[b]));
        for (int j = 0; j < p; j++)
        {
            _unit[j] = 1;
            LinearizedJvp(theta, _unit, columns.Slice(j * m, m));
            _unit[j] = 0;
        }
    }

    private static void CheckClassificationTargets(ResidualBlock block, int b, FunctionInfo info)
    {
        if (block.Loss is not null)
            throw new ArgumentException($"Block {b} ({info.Name}): a robust Loss applies only to the squared output loss, not {block.OutputLoss}.");
        if (block.Targets is not { } y)
            throw new ArgumentException($"Block {b} ({info.Name}): {block.OutputLoss} needs targets.");
        for (int i = 0; i < y.Length; i++)
            if (y[i] < 0 || y[i] > 1)
                throw new ArgumentException($"Block {b} ({info.Name}): {block.OutputLoss} targets must lie in [0, 1]; entry {i / block.Batch} of sample {i % block.Batch} is {y[i]}.");
        if (block.OutputLoss != OutputLoss.SoftmaxCrossEntropy)
            return;
        if (info.OutputSize < 2)
            throw new ArgumentException($"Block {b} ({info.Name}): softmax cross-entropy needs at least 2 outputs (classes); {info.Name} has {info.OutputSize}. Use OutputLoss.Logistic for one logit.");
        for (int s = 0; s < block.Batch; s++)
        {
            double sum = 0;
            for (int c = 0; c < info.OutputSize; c++)
                sum += y[c * block.Batch + s];
            if (Math.Abs(sum - 1) > 1e-9)
                throw new ArgumentException($"Block {b} ({info.Name}): softmax cross-entropy targets of sample {s} sum to {sum}, not 1.");
        }
    }

    private static void CheckFinite(double[] values, string what)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"The {what} contain {values[i]} at index {i}.");
    }
}
