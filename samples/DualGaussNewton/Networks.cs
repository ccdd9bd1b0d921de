namespace NGGen.Samples.DualGaussNewton;

/// <summary>Runs a generic experiment on the network of a given hidden width (the widths are separate model classes).</summary>
public static class Networks
{
    /// <summary>The available hidden widths.</summary>
    public static IReadOnlyList<int> Widths { get; } = [16, 32, 64, 128, 256];

    /// <summary>Parameter count of the width-<paramref name="width"/> network: w² + 20w + 10.</summary>
    public static int Parameters(int width) => width * width + 20 * width + 10;

    /// <summary>Calls <paramref name="visitor"/> with the model type of width <paramref name="width"/>.</summary>
    public static TResult Visit<TResult>(int width, INetworkVisitor<TResult> visitor) => width switch
    {
        16 => visitor.Visit<Mlp16>(),
        32 => visitor.Visit<Mlp32>(),
        64 => visitor.Visit<Mlp64>(),
        128 => visitor.Visit<Mlp128>(),
        256 => visitor.Visit<Mlp256>(),
        _ => throw new ArgumentException($"Width {width} has no network; use one of {string.Join(", ", Widths)}.", nameof(width)),
    };
}

/// <summary>A generic computation over one of the sweep's model types.</summary>
public interface INetworkVisitor<TResult>
{
    /// <summary>Runs on model <typeparamref name="TModel"/>.</summary>
    TResult Visit<TModel>() where TModel : IModel<TModel>;
}
