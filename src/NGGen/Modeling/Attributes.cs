namespace NGGen;

/// <summary>Marks a partial class as an NGGen model: the source generator emits its batched
/// Forward, Jvp and Vjp code and makes it implement <see cref="IModel{TSelf}"/>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
}

/// <summary>Marks a per-sample model method whose output is a model prediction (for example u(x)).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ForwardAttribute : Attribute
{
}

/// <summary>Marks a per-sample residual method (for example a PDE residual -Δu - f on interior points).
/// Each residual is evaluated on its own set of samples.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ResidualAttribute : Attribute
{
}

/// <summary>How a parameter is initialised by <see cref="IModel{TSelf}.InitializeParameters{T}"/>.</summary>
public enum ParamInit
{
    /// <summary>Scalars: <see cref="ParamAttribute.Value"/>; vectors: zeros; matrices: Glorot uniform.</summary>
    Default = 0,
    /// <summary>All entries zero.</summary>
    Zeros,
    /// <summary>All entries equal <see cref="ParamAttribute.Value"/>.</summary>
    Constant,
    /// <summary>Uniform on ±sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio 2010).</summary>
    Glorot,
    /// <summary>Normal with standard deviation <see cref="ParamAttribute.Value"/>.</summary>
    Normal,
}

/// <summary>Marks a trainable parameter: a <c>double</c> method parameter of a scalar model, or a
/// <see cref="Vec"/>/<see cref="Mat"/> field with a static shape, e.g. <c>[Param(32, 2)] Mat W1;</c>.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Parameter, Inherited = false)]
public sealed class ParamAttribute : Attribute
{
    /// <summary>A scalar parameter.</summary>
    public ParamAttribute() => Shape = [];

    /// <summary>A vector (one dimension) or matrix (rows, columns) parameter.</summary>
    public ParamAttribute(params int[] shape) => Shape = shape;

    /// <summary>The static shape: empty for a scalar, [n] for a vector, [rows, cols] for a matrix.</summary>
    public int[] Shape { get; }

    /// <summary>The initialiser; see <see cref="ParamInit"/> for the default per shape.</summary>
    public ParamInit Init { get; set; }

    /// <summary>The initial value of a scalar (default 1) or constant parameter, or the standard deviation of a normal one.</summary>
    public double Value { get; set; } = 1.0;
}

/// <summary>Gives the static length of a <see cref="Vec"/> input when the generator cannot infer it
/// from use (for example <c>Vec U([Shape(2)] Vec x)</c>).</summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute(int length) : Attribute
{
    /// <summary>The number of entries of the input vector.</summary>
    public int Length { get; } = length;
}
