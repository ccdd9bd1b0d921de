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

/// <summary>
/// Compile-time layout of the A operand a micro-kernel reads: MR values per k step (packed, or op(A) = Aᵀ read in
/// place), or MR rows of a row-major A read in place, each contiguous along k.
/// </summary>
internal interface IGemmALayout
{
    /// <summary>Gets whether A is MR row pointers <c>aStep</c> apart, indexed by k, instead of one pointer advanced
    /// by <c>aStep</c> per k step.</summary>
    static abstract bool Rows { get; }
}

/// <summary>MR values per k step, <c>aStep</c> apart: a packed panel (aStep = MR) or op(A) = Aᵀ in place (aStep = lda).</summary>
internal readonly struct StepsOfA : IGemmALayout
{
    /// <inheritdoc/>
    public static bool Rows => false;
}

/// <summary>MR rows of a row-major A in place, <c>aStep</c> (lda) apart, consecutive k values adjacent.</summary>
internal readonly struct RowsOfA : IGemmALayout
{
    /// <inheritdoc/>
    public static bool Rows => true;
}
