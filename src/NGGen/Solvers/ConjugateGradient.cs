using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>
/// The vector operations a Krylov solver needs, for vectors wherever they live: host arrays
/// (<see cref="HostVectors"/>) or device buffers (NGGen.Cuda's <c>CudaVectors</c>). One Krylov code runs on both.
/// </summary>
public interface IVectorSpace<TVector>
{
    /// <summary>xᵀy.</summary>
    double Dot(TVector x, TVector y);

    /// <summary>y ← y + αx.</summary>
    void Axpy(double alpha, TVector x, TVector y);

    /// <summary>x ← αx.</summary>
    void Scale(double alpha, TVector x);

    /// <summary>destination ← source.</summary>
    void Copy(TVector source, TVector destination);

    /// <summary>x ← 0.</summary>
    void Clear(TVector x);

    /// <summary>y ← y + αx; returns xᵀy of the updated y. A space may do both in one pass.</summary>
    double AddScaledThenDot(double alpha, TVector x, TVector y)
    {
        Axpy(alpha, x, y);
        return Dot(x, y);
    }

    /// <summary>step ← step + α·direction and residual ← residual + α·product, then residualᵀresidual,
    /// residualᵀstep and gradientᵀstep: a CG iteration's updates and the dot products that follow them. A space may
    /// do them in one pass.</summary>
    (double ResidualSquared, double ResidualDotStep, double GradientDotStep) UpdateStepAndResidual(
        double alpha, TVector direction, TVector product, TVector step, TVector residual, TVector gradient)
    {
        Axpy(alpha, direction, step);
        Axpy(alpha, product, residual);
        return (Dot(residual, residual), Dot(residual, step), Dot(gradient, step));
    }

    /// <summary>x ← βx − y. A space may do it in one pass.</summary>
    void ScaleThenSubtract(double beta, TVector x, TVector y)
    {
        Scale(beta, x);
        Axpy(-1, y, x);
    }
}

/// <summary>A symmetric positive semi-definite operator, applied as result ← A·v.</summary>
public interface ILinearOperator<TVector>
{
    /// <summary>result ← A·v.</summary>
    void Apply(TVector v, TVector result);
}

/// <summary>Host arrays of double (the CPU solvers' vectors): TensorPrimitives for the reductions, and
/// <see cref="NGGen.Kernels.CachedArithmetic"/> for the updates, whose results the next step reads (TensorPrimitives
/// would store them past the caches from 256 KiB, 32,768 doubles).</summary>
public sealed class HostVectors : IVectorSpace<double[]>
{
    /// <summary>The shared instance (the operations keep no state).</summary>
    public static HostVectors Instance { get; } = new();

    /// <inheritdoc/>
    public double Dot(double[] x, double[] y) => TensorPrimitives.Dot<double>(x, y);

    /// <inheritdoc/>
    public void Axpy(double alpha, double[] x, double[] y) => NGGen.Kernels.CachedArithmetic.AddScaled<double>(alpha, x, y);

    /// <inheritdoc/>
    public void Scale(double alpha, double[] x) => NGGen.Kernels.CachedArithmetic.Scale<double>(alpha, x);

    /// <inheritdoc/>
    public void Copy(double[] source, double[] destination) => source.AsSpan().CopyTo(destination);

    /// <inheritdoc/>
    public void Clear(double[] x) => Array.Clear(x);

    /// <inheritdoc/>
    public double AddScaledThenDot(double alpha, double[] x, double[] y) => NGGen.Kernels.ConjugateGradientPasses.AddScaledThenDot(alpha, x, y);

    /// <inheritdoc/>
    public (double ResidualSquared, double ResidualDotStep, double GradientDotStep) UpdateStepAndResidual(
        double alpha, double[] direction, double[] product, double[] step, double[] residual, double[] gradient)
        => NGGen.Kernels.ConjugateGradientPasses.UpdateStepAndResidual(alpha, direction, product, step, residual, gradient);

    /// <inheritdoc/>
    public void ScaleThenSubtract(double beta, double[] x, double[] y) => NGGen.Kernels.ConjugateGradientPasses.ScaleThenSubtract(beta, x, y);
}

/// <summary>
/// Conjugate gradients on (G + λI)δ = −g with Martens' relative-progress stop, generic over where the vectors live:
/// GN-CG runs it on host arrays and on device buffers. Its three work vectors and the objective history are
/// allocated by the caller once; a solve allocates nothing.
/// </summary>
/// <remarks>
/// Warm starts scale the previous δ by a decay; the CG residual is Aδ + g and the quadratic model
/// q(δ) = ½δᵀAδ + gᵀδ = ½(residual + g)ᵀδ is tracked per iteration for the stop. Every operation goes through
/// <see cref="IVectorSpace{TVector}"/>; an iteration's vector work is three of its calls (an update and a dot product,
/// the step and residual updates with three dot products, the new direction), which the host space runs as three
/// fused passes and other spaces as their plain operations.
/// </remarks>
public sealed class DampedConjugateGradient<TVector>(
    IVectorSpace<TVector> space, TVector residual, TVector direction, TVector product, int maxIterations, double epsilon)
{
    private readonly double[] _objective = new double[maxIterations + 1];

    /// <summary>
    /// Solves (G + λI)δ = −g into <paramref name="step"/>, from δ = 0 (<paramref name="warmStart"/> false) or from
    /// <paramref name="warmStartDecay"/>·δ; returns the iterations run (0: the first direction had no positive curvature).
    /// </summary>
    public int Solve(ILinearOperator<TVector> gaussNewton, double damping, TVector gradient, TVector step, bool warmStart, double warmStartDecay)
    {
        if (!warmStart)
        {
            // A·0 = 0: the CG residual starts at g, and q(0) = 0.
            space.Clear(step);
            space.Copy(gradient, residual);
            _objective[0] = 0;
        }
        else
        {
            space.Scale(warmStartDecay, step);
            ApplyDamped(gaussNewton, step, damping, product);
            space.Copy(product, residual);
            space.Axpy(1, gradient, residual);      // residual = Aδ + g
            _objective[0] = (0.5 * space.Dot(step, product)) + space.Dot(gradient, step);
        }

        space.Copy(residual, direction);
        space.Scale(-1, direction);
        double rr = space.Dot(residual, residual);
        int iterations = 0;
        for (int i = 1; i <= maxIterations && rr > 0; i++)
        {
            // Three passes over the vectors (fused on the host), in the order of the plain CG steps.
            gaussNewton.Apply(direction, product);
            double curvature = space.AddScaledThenDot(damping, direction, product);   // product = (G + λI)d, dᵀproduct
            if (!(curvature > 0))
                break;
            double alpha = rr / curvature;
            var (rrNext, residualDotStep, gradientDotStep) = space.UpdateStepAndResidual(alpha, direction, product, step, residual, gradient);
            space.ScaleThenSubtract(rrNext / rr, direction, residual);
            rr = rrNext;
            iterations = i;
            _objective[i] = 0.5 * (residualDotStep + gradientDotStep);
            int k = Math.Max(10, i / 10);
            if (epsilon > 0 && i > k && _objective[i] < 0 && (_objective[i] - _objective[i - k]) / _objective[i] < k * epsilon)
                break;
        }

        return iterations;
    }

    /// <summary>result ← (G + λI)v.</summary>
    public void ApplyDamped(ILinearOperator<TVector> gaussNewton, TVector v, double damping, TVector result)
    {
        gaussNewton.Apply(v, result);
        space.Axpy(damping, v, result);
    }
}

/// <summary>The Levenberg-Marquardt rule GN-CG uses for λ, shared by the host and device steppers.</summary>
public static class GaussNewtonDamping
{
    /// <summary>λ·1.5 when the reduction ratio is below ¼, λ·⅔ above ¾, else unchanged.</summary>
    public static double Update(double damping, double ratio)
        => ratio < 0.25 ? damping * 1.5 : ratio > 0.75 ? damping * (2.0 / 3.0) : damping;

    /// <summary>Actual over predicted reduction, −∞ when the prediction is not a decrease or the trial cost not finite.</summary>
    public static double Ratio(double cost, double trialCost, double predicted)
        => predicted < 0 && double.IsFinite(trialCost) ? (trialCost - cost) / predicted : double.NegativeInfinity;
}
