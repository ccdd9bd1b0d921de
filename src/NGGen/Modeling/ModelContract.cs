using System.Numerics;

namespace NGGen;

/// <summary>Whether a model function is a prediction or a residual.</summary>
public enum FunctionKind
{
    /// <summary>A <see cref="ForwardAttribute"/> method.</summary>
    Forward,
    /// <summary>A <see cref="ResidualAttribute"/> method.</summary>
    Residual,
}

/// <summary>Which generated entry point a workspace is for.</summary>
public enum EvaluationKind
{
    /// <summary>Batched evaluation.</summary>
    Forward,
    /// <summary>Jacobian-vector product in the parameters.</summary>
    Jvp,
    /// <summary>Vector-Jacobian product in the parameters.</summary>
    Vjp,
    /// <summary>Forward pass that keeps the values the linearized products read.</summary>
    Linearize,
    /// <summary>Jacobian-vector product from a linearization (no forward pass).</summary>
    LinearizedJvp,
    /// <summary>Vector-Jacobian product from a linearization (no forward pass).</summary>
    LinearizedVjp,
}

/// <summary>How a vector-Jacobian product writes the caller's gradient.</summary>
public enum GradientWrite
{
    /// <summary><c>gradient += Jᵀu</c>: sums over several functions, batches or cotangents land in one buffer.</summary>
    Accumulate,

    /// <summary>
    /// <c>gradient = Jᵀu</c>: every entry is written (zeros for parameters the function does not depend on), so the
    /// caller need not clear the buffer, and the weight-gradient products store their result without reading the old one.
    /// </summary>
    Overwrite,
}

/// <summary>One named parameter tensor inside the flat parameter vector θ.</summary>
/// <param name="Name">The field or method-parameter name.</param>
/// <param name="Shape">Empty for a scalar, [n] for a vector, [rows, cols] for a row-major matrix.</param>
/// <param name="Offset">Index of the first entry in θ.</param>
/// <param name="Length">Number of entries.</param>
/// <param name="Init">The initialiser.</param>
/// <param name="Value">The constant, scalar initial value or normal standard deviation.</param>
public sealed record ParameterInfo(string Name, int[] Shape, int Offset, int Length, ParamInit Init, double Value);

/// <summary>One model function (a Forward or Residual method) with its per-sample sizes.</summary>
/// <param name="Name">The method name.</param>
/// <param name="Kind">Forward or Residual.</param>
/// <param name="InputSize">Entries per sample across all inputs (feature-major rows).</param>
/// <param name="OutputSize">Entries per sample of the output.</param>
public sealed record FunctionInfo(string Name, FunctionKind Kind, int InputSize, int OutputSize);

/// <summary>
/// The contract the source generator implements for every <see cref="ModelAttribute"/> class.
/// Solvers bind to it at compile time (<c>where TModel : IModel&lt;TModel&gt;</c>): no reflection.
/// </summary>
/// <remarks>
/// Batched data is feature-major: a function with input size d evaluated on <c>batch</c> samples takes
/// <c>inputs</c> of length d·batch with feature i of sample n at <c>inputs[i * batch + n]</c>; outputs use
/// the same layout. Workspaces must hold <see cref="WorkspaceLength"/> entries; none of the batched
/// entry points allocate.
/// </remarks>
public interface IModel<TSelf> where TSelf : IModel<TSelf>
{
    /// <summary>The model class name.</summary>
    static abstract string Name { get; }

    /// <summary>Length of the flat parameter vector θ.</summary>
    static abstract int ParameterCount { get; }

    /// <summary>Parameter tensors in θ order.</summary>
    static abstract IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Forward and Residual functions in declaration order; the index is the function id.</summary>
    static abstract IReadOnlyList<FunctionInfo> Functions { get; }

    /// <summary>Fills θ from the declared initialisers with a deterministic generator seeded by <paramref name="seed"/>.</summary>
    static abstract void InitializeParameters<T>(Span<T> theta, ulong seed) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Workspace entries needed by <paramref name="kind"/> of <paramref name="function"/> at this batch size.</summary>
    static abstract int WorkspaceLength(int function, EvaluationKind kind, int batch);

    /// <summary>outputs = F(θ, inputs) for every sample.</summary>
    static abstract void Forward<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        Span<T> outputs, Span<T> workspace) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>jvp = (∂F/∂θ)·tangent for every sample (tangent has ParameterCount entries).</summary>
    static abstract void Jvp<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        ReadOnlySpan<T> tangent, Span<T> jvp, Span<T> workspace) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gradient += (∂F/∂θ)ᵀ·cotangent summed over samples (cotangent is laid out like the outputs).</summary>
    static abstract void Vjp<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        ReadOnlySpan<T> cotangent, Span<T> gradient, Span<T> workspace) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gradient = (∂F/∂θ)ᵀ·cotangent (<see cref="GradientWrite.Overwrite"/>) or gradient += it
    /// (<see cref="GradientWrite.Accumulate"/>), summed over samples.</summary>
    static abstract void Vjp<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        ReadOnlySpan<T> cotangent, Span<T> gradient, Span<T> workspace, GradientWrite write) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Entries of the linearization buffer for <paramref name="function"/> at this batch size.</summary>
    static abstract int LinearizationLength(int function, int batch);

    /// <summary>outputs = F(θ, inputs), keeping in <paramref name="linearization"/> every primal value J and
    /// Jᵀ read, so that Krylov solvers apply them many times at one θ without rerunning the forward.</summary>
    static abstract void Linearize<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        Span<T> linearization, Span<T> outputs, Span<T> workspace) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>jvp = (∂F/∂θ)·tangent at the θ and inputs of the <see cref="Linearize"/> call that filled <paramref name="linearization"/>.</summary>
    static abstract void LinearizedJvp<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        ReadOnlySpan<T> linearization, ReadOnlySpan<T> tangent, Span<T> jvp, Span<T> workspace) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gradient += (∂F/∂θ)ᵀ·cotangent at the θ and inputs of the <see cref="Linearize"/> call that filled <paramref name="linearization"/>.</summary>
    static abstract void LinearizedVjp<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        ReadOnlySpan<T> linearization, ReadOnlySpan<T> cotangent, Span<T> gradient, Span<T> workspace) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gradient = (∂F/∂θ)ᵀ·cotangent (<see cref="GradientWrite.Overwrite"/>) or gradient += it
    /// (<see cref="GradientWrite.Accumulate"/>) at the θ and inputs of the <see cref="Linearize"/> call that filled
    /// <paramref name="linearization"/>.</summary>
    static abstract void LinearizedVjp<T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch,
        ReadOnlySpan<T> linearization, ReadOnlySpan<T> cotangent, Span<T> gradient, Span<T> workspace, GradientWrite write) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Every pass of the model as CUDA C kernels, and the source's SHA-256 (the generated <c>CudaSource</c>
    /// and <c>CudaSourceHash</c> constants).</summary>
    static abstract DeviceCode Cuda { get; }

    /// <summary>Runs one pass on a device through <paramref name="runner"/>: the kernels of <see cref="Cuda"/> and the
    /// matrix products, in order, over device buffers laid out as the CPU spans of the same names.</summary>
    static abstract void CudaPlan(int function, EvaluationKind kind, int batch, IDevicePlanRunner runner);

    /// <summary>Runs the user's own method body on one sample with the eager, exact double-precision
    /// <see cref="Vec"/>/<see cref="Mat"/> implementation: the reference oracle for tests.</summary>
    static abstract void ReferenceForward(int function, ReadOnlySpan<double> theta, ReadOnlySpan<double> sample, Span<double> output);
}
