using NGGen.Kernels;
using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for the dual Gauss-Newton direction.</summary>
public sealed record DualGaussNewtonOptions
{
    /// <summary>Step scale γ in v* = argmin gᵀJv + ½(Jv)ᵀH(Jv) + ‖v‖²/(2γ) (the Levenberg-Marquardt damping is 1/γ). Default 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Maximum CG iterations on the dual system. Default 500.</summary>
    public int MaxCgIterations { get; init; } = 500;

    /// <summary>CG stops when ‖g − (H + γHKH)β‖ ≤ this × ‖g‖. Default 1e-12.</summary>
    public double RelativeTolerance { get; init; } = 1e-12;

    /// <summary>How CG measures the dual system. Default <see cref="DualPreconditioner.CurvaturePseudoInverse"/>,
    /// under which every iterate is a descent direction. Ignored for least squares, where H = I.</summary>
    public DualPreconditioner Preconditioner { get; init; } = DualPreconditioner.CurvaturePseudoInverse;

    /// <summary>When true (the default), CG stops at the first iterate whose primal direction is not a descent
    /// direction (∇Lᵀv_k ≥ 0) and returns the last one that is (see
    /// <see cref="DualGaussNewton{TModel}.LastStoppedForDescent"/>). Costs one VJP per direction for ∇L.</summary>
    public bool DescentSafeguard { get; init; } = true;

    /// <summary>Called with each accepted CG iterate's primal direction v_k = −γJᵀHβ_k; return false to stop early.</summary>
    public DualIterateCallback? OnIterate { get; init; }
}

/// <summary>The preconditioner of the dual CG on (H + γHKH)β = g. Both converge to the same direction; they
/// differ in the iterates, which matters when CG is stopped early.</summary>
public enum DualPreconditioner
{
    /// <summary>H⁺: CG on α = Hβ in the inner product ⟨a, b⟩ = aᵀH⁺b of the dual's own quadratic term, so that
    /// CG minimises the dual over the Krylov spaces of (I + γHK, g). Every iterate descends (in exact arithmetic;
    /// see <see cref="DualGaussNewton{TModel}"/>). Needs a vector w
    /// with Hw = g, written from the logits (one forward pass per direction); H⁺ is never applied again.</summary>
    CurvaturePseudoInverse,
    /// <summary>Plain CG on the β-system. Its Krylov spaces do not contain g, and iterates can ascend when the
    /// curvature differs widely between outputs (confident logits); identical to the other for the squared loss.</summary>
    None,
}

/// <summary>Receives the CG iteration number and the primal direction of that iterate.</summary>
public delegate bool DualIterateCallback(int iteration, ReadOnlySpan<double> direction);

/// <summary>
/// Dual (output-space) Gauss-Newton directions (Roulet and Blondel 2023) for any <see cref="OutputLoss"/>.
/// <para>
/// With g the stacked output gradient (∇L = Jᵀg), H the output curvature and K = JJᵀ, the primal generalised
/// Gauss-Newton subproblem v* = argmin_v gᵀJv + ½(Jv)ᵀH(Jv) + ‖v‖²/(2γ), i.e. (JᵀHJ + I/γ)v = −Jᵀg, has by the
/// push-through identity the solution v* = −γJᵀα with (I + γHK)α = g, an m×m system (cheap when the outputs
/// are far fewer than the parameters). Its dual is min_α D(α) = q*(α) + (γ/2)αᵀKα, where
/// q*(α) = ½(α − g)ᵀH⁺(α − g) is the conjugate of the quadratic model of the loss, finite only on
/// α − g ∈ range(H). For softmax cross-entropy range(H) is the zero class-sum subspace of each sample (the
/// tangent space of the simplex on which the cross-entropy conjugate lives), and g = √w(p − y) lies in it; for
/// the logistic and squared losses H is a positive diagonal and there is no constraint. Parametrising α = Hβ
/// enforces the constraint and turns the dual into the symmetric positive semi-definite system
/// (H + γHKH)β = g, positive definite on range(H), which CG solves from β = 0 with one VJP, one JVP and two
/// curvature applications per iteration. For the squared loss H = I and this is CG on (I + γJJᵀ)α = r.
/// </para>
/// <para>
/// Descent. With the default preconditioner H⁺ the CG iterate α_k minimises D over the Krylov space
/// 𝒦_k(I + γHK, g), which contains g and α_k; stationarity along those two directions gives, in the norm
/// ‖a‖² = aᵀH⁺a, γgᵀKα_k = ‖g‖² − ⟨g, α_k⟩ and ⟨g, α_k⟩ = ‖α_k‖² + γα_kᵀKα_k ≥ ‖α_k‖², so by Cauchy-Schwarz
/// ⟨g, α_k⟩ &lt; ‖g‖² unless ∇L = 0, and ∇Lᵀv_k = −γgᵀKα_k &lt; 0 for every k. The preconditioned residual
/// z = H⁺ρ follows its own recurrence z ← z − a(d + γKHd) from a start vector w with Hw = g (written from the
/// logits: w = g for squared blocks, √w(p − y)/(p(1 − p)) for logistic ones, −√w·y/p per softmax sample) and
/// ρ = Hz is recomputed from it, so H⁺ is never applied. Without the preconditioner the Krylov spaces are
/// those of (H + γHKH, g), which need not contain g, and iterates do ascend when the curvature differs widely
/// between outputs. The argument is exact-arithmetic: once CG loses orthogonality on an ill-conditioned system
/// (very large γ) its iterates drift from the Krylov minimisers and an occasional one can ascend.
/// <see cref="DualGaussNewtonOptions.DescentSafeguard"/> guards in every case.
/// </para>
/// <para>
/// The primal iterate v_k = −γJᵀHβ_k is updated alongside β from the VJP each iteration already computes.
/// Robust losses are refused: their clipped curvature can vanish where the gradient does not, so g need not
/// lie in range(H). Buffers are allocated once; computing a direction allocates nothing.
/// </para>
/// </summary>
public sealed class DualGaussNewton<TModel> : IDirectionOracle<TModel> where TModel : IModel<TModel>
{
    // Start vectors w = H⁺g are written from exp(±logit); beyond this exponent (curvature below ~1e-130) they are
    // clipped, so that the CG scalars stay finite.
    private const double MaxExponent = 300;

    private readonly TrainingProblem<TModel> _problem;
    // Output space (m): g, the CG residual ρ = g − Aβ, the preconditioned residual z (Hz = ρ), the search
    // direction d, Hd, u = d + γKHd, Ad = Hu (unpreconditioned only), VJP scratch.
    private readonly double[] _outputGradient, _residual, _preconditioned, _search, _curvedSearch, _product, _applied, _scratch;
    // Parameter space (p): JᵀHd and ∇L = Jᵀg.
    private readonly double[] _pulledBack, _gradient;

    /// <summary>Prepares the workspace; <paramref name="options"/> are used by the <see cref="IDirectionOracle{TModel}"/> form.</summary>
    public DualGaussNewton(TrainingProblem<TModel> problem, DualGaussNewtonOptions? options = null)
    {
        if (problem.HasRobustLoss)
            throw new NotSupportedException("DualGaussNewton needs the loss gradient in the range of its curvature, which robust losses do not guarantee. " +
                "Remove the Loss from the residual blocks or use LevenbergMarquardt, Adam, L-BFGS or gradient descent.");
        _problem = problem;
        Options = options ?? new DualGaussNewtonOptions();
        int m = problem.ResidualCount, p = problem.ParameterCount;
        _outputGradient = new double[m];
        _residual = new double[m];
        _preconditioned = new double[m];
        _search = new double[m];
        _curvedSearch = new double[m];
        _product = new double[m];
        _applied = new double[m];
        _scratch = new double[m];
        _pulledBack = new double[p];
        _gradient = new double[p];
    }

    /// <summary>The problem whose directions are computed.</summary>
    public TrainingProblem<TModel> Problem => _problem;

    /// <summary>The options of the <see cref="IDirectionOracle{TModel}"/> form.</summary>
    public DualGaussNewtonOptions Options { get; }

    /// <summary>CG iterations accepted by the last <see cref="Direction(ReadOnlySpan{double}, Span{double}, DualGaussNewtonOptions)"/> call.</summary>
    public int LastIterations { get; private set; }

    /// <summary>True when the descent safeguard stopped the last call: iterate <see cref="LastIterations"/> + 1
    /// had ∇Lᵀv ≥ 0 (its slope is <see cref="LastRejectedSlope"/>) and iterate <see cref="LastIterations"/> was
    /// returned (−γ∇L when no iterate descended).</summary>
    public bool LastStoppedForDescent { get; private set; }

    /// <summary>∇Lᵀv of the iterate the safeguard rejected in the last call; NaN when none was.</summary>
    public double LastRejectedSlope { get; private set; } = double.NaN;

    /// <summary>Writes the dual Gauss-Newton direction at θ with <see cref="Options"/>; returns the cost L(θ).</summary>
    public double Direction(ReadOnlySpan<double> theta, Span<double> direction) => Direction(theta, direction, Options);

    /// <summary>Writes the dual Gauss-Newton direction at θ into <paramref name="direction"/>; returns the cost L(θ).</summary>
    public double Direction(ReadOnlySpan<double> theta, Span<double> direction, DualGaussNewtonOptions options)
    {
        double cost = _problem.Evaluate(theta, _outputGradient);
        double gamma = options.Gamma;
        bool safeguard = options.DescentSafeguard;
        // Least squares has H = I, where the preconditioner is the identity: skip its forward pass and recurrence.
        bool preconditioned = options.Preconditioner == DualPreconditioner.CurvaturePseudoInverse && !_problem.IsLeastSquares;
        if (safeguard)
        {
            _problem.LinearizedVjp(theta, _outputGradient, _gradient, _scratch, GradientWrite.Overwrite);
        }
        // CG on (H + γHKH)β = g from β = 0; only v = −γJᵀHβ is kept, β itself is never needed.
        direction.Clear();
        _outputGradient.CopyTo(_residual, 0);
        var z = preconditioned ? _preconditioned : _residual;
        if (preconditioned)
            CurvaturePreimage(theta);
        z.CopyTo(_search, 0);
        double rz = TensorPrimitives.Dot<double>(_residual, z);
        double rr = preconditioned ? TensorPrimitives.Dot<double>(_residual, _residual) : rz;
        double stop = options.RelativeTolerance * options.RelativeTolerance * rr;
        LastIterations = 0;
        LastStoppedForDescent = false;
        LastRejectedSlope = double.NaN;
        for (int k = 1; k <= options.MaxCgIterations && rr > stop; k++)
        {
            // Ad = H·u with u = d + γKHd; dᵀAd = (Hd)ᵀu as H is symmetric.
            _problem.ApplyCurvature(_search, _curvedSearch);
            _problem.LinearizedVjp(theta, _curvedSearch, _pulledBack, _scratch, GradientWrite.Overwrite);
            _problem.LinearizedJvp(theta, _pulledBack, _product);
            CachedArithmetic.ScaleAndAdd(gamma, _product, _search);
            double curvature = TensorPrimitives.Dot<double>(_curvedSearch, _product);
            // Zero only when d ∈ null(H), which exact arithmetic rules out; NaN from a non-finite model.
            if (!(curvature > 0) || !(rz > 0))
                break;
            double step = rz / curvature;
            CachedArithmetic.AddScaled(-gamma * step, _pulledBack, direction);
            if (safeguard)
            {
                double slope = TensorPrimitives.Dot<double>(_gradient, direction);
                if (!(slope < 0))
                {
                    LastStoppedForDescent = true;
                    LastRejectedSlope = slope;
                    if (LastIterations == 0)
                        TensorPrimitives.Multiply<double>(_gradient, -gamma, direction);
                    else
                        CachedArithmetic.AddScaled(gamma * step, _pulledBack, direction);
                    return cost;
                }
            }
            if (preconditioned)
            {
                // ρ = Hz: z ← z − a·u is the preconditioned residual's own recurrence (no H⁺ needed), and ρ is
                // recomputed from it rather than carried by a second recurrence that would drift from Hz.
                CachedArithmetic.AddScaled(-step, _product, z);
                _problem.ApplyCurvature(z, _residual);
            }
            else
            {
                _problem.ApplyCurvature(_product, _applied);
                CachedArithmetic.AddScaled(-step, _applied, _residual);
            }
            double next = TensorPrimitives.Dot<double>(_residual, z);
            CachedArithmetic.ScaleAndAdd(next / rz, _search, z);
            rz = next;
            rr = preconditioned ? TensorPrimitives.Dot<double>(_residual, _residual) : rz;
            LastIterations = k;
            if (options.OnIterate is { } callback && !callback(k, direction))
                break;
        }
        return cost;
    }

    // _preconditioned = w with Hw = g, block by block from the outputs (Residuals gives √w·F for classification
    // blocks and √w(F − y) = g for squared ones, whose H is the identity).
    private void CurvaturePreimage(ReadOnlySpan<double> theta)
    {
        _problem.Residuals(theta, _preconditioned);
        int offset = 0;
        // Indexed: a foreach over the IReadOnlyList would box its enumerator.
        for (int b = 0; b < _problem.Blocks.Count; b++)
        {
            var block = _problem.Blocks[b];
            int outputs = TModel.Functions[block.Function].OutputSize, batch = block.Batch, count = outputs * batch;
            var w = _preconditioned.AsSpan(offset, count);
            var y = block.Targets;
            double rootWeight = Math.Sqrt(block.Weight);
            switch (block.OutputLoss)
            {
                case OutputLoss.Logistic:
                    // (p − y)/(p(1 − p)) = (1 − y)(1 + e^z) − y(1 + e^−z): no cancellation for confident logits.
                    for (int i = 0; i < count; i++)
                    {
                        double logit = w[i] / rootWeight;
                        w[i] = rootWeight * ((1 - y![i]) * (1 + Math.Exp(Math.Min(logit, MaxExponent))) - y[i] * (1 + Math.Exp(Math.Min(-logit, MaxExponent))));
                    }
                    break;
                case OutputLoss.SoftmaxCrossEntropy:
                    // H_s(y/p) = y − p(1ᵀy) = y − p per sample, so w = −√w·y/p with 1/p_c = exp(logsumexp − z_c).
                    for (int s = 0; s < batch; s++)
                    {
                        double max = double.NegativeInfinity;
                        for (int c = 0; c < outputs; c++)
                            max = Math.Max(max, w[c * batch + s]);
                        double sum = 0;
                        for (int c = 0; c < outputs; c++)
                            sum += Math.Exp((w[c * batch + s] - max) / rootWeight);
                        double logSumExp = max / rootWeight + Math.Log(sum);
                        for (int c = 0; c < outputs; c++)
                        {
                            int i = c * batch + s;
                            w[i] = y![i] == 0 ? 0 : -rootWeight * y[i] * Math.Exp(Math.Min(logSumExp - w[i] / rootWeight, MaxExponent));
                        }
                    }
                    break;
                default:
                    _outputGradient.AsSpan(offset, count).CopyTo(w);
                    break;
            }
            offset += count;
        }
    }
}
