namespace NGGen.Kernels;

/// <summary>
/// Compile-time shape of a micro-kernel tile: full (MR×NR), or halved in height (MR/2 rows) and/or width (one
/// vector, NR/2 columns) for the bottom and right edges of C.
/// </summary>
/// <remarks>
/// Implemented only by empty structs, so each kernel instantiation sees the flags as JIT-time constants and the
/// unused accumulators and FMAs disappear.
/// </remarks>
internal interface IGemmTileShape
{
    /// <summary>Gets whether the tile has MR/2 rows instead of MR.</summary>
    static abstract bool HalfHeight { get; }

    /// <summary>Gets whether the tile has NR/2 columns instead of NR.</summary>
    static abstract bool HalfWidth { get; }
}

/// <summary>An MR×NR tile.</summary>
internal readonly struct FullTile : IGemmTileShape
{
    /// <inheritdoc/>
    public static bool HalfHeight => false;

    /// <inheritdoc/>
    public static bool HalfWidth => false;
}

/// <summary>An (MR/2)×NR tile.</summary>
internal readonly struct HalfHeightTile : IGemmTileShape
{
    /// <inheritdoc/>
    public static bool HalfHeight => true;

    /// <inheritdoc/>
    public static bool HalfWidth => false;
}

/// <summary>An MR×(NR/2) tile.</summary>
internal readonly struct HalfWidthTile : IGemmTileShape
{
    /// <inheritdoc/>
    public static bool HalfHeight => false;

    /// <inheritdoc/>
    public static bool HalfWidth => true;
}

/// <summary>An (MR/2)×(NR/2) tile.</summary>
internal readonly struct QuarterTile : IGemmTileShape
{
    /// <inheritdoc/>
    public static bool HalfHeight => true;

    /// <inheritdoc/>
    public static bool HalfWidth => true;
}
