namespace NGGen;

/// <summary>Argument checks shared by every generated model (clear messages naming model, function and span).</summary>
public static class ModelGuard
{
    /// <summary>Checks the function id and batch size and returns the function's description.</summary>
    public static FunctionInfo Function(string model, FunctionInfo[] functions, int function, int batch)
    {
        if ((uint)function >= (uint)functions.Length)
            throw UnknownFunction(model, function, functions.Length);
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{model}.{functions[function].Name}: the batch size must be positive.");
        return functions[function];
    }

    /// <summary>Throws when <paramref name="actual"/> is shorter than <paramref name="required"/>.</summary>
    public static void Length(string model, string span, int actual, int required)
    {
        if (actual < required)
            throw new ArgumentException($"{model}: '{span}' has {actual} entries but {required} are required.", span);
    }

    /// <summary>Whether a VJP adds into the gradient (<see cref="GradientWrite.Accumulate"/>) rather than overwriting it.</summary>
    public static bool Accumulates(GradientWrite write) => write switch
    {
        GradientWrite.Accumulate => true,
        GradientWrite.Overwrite => false,
        _ => throw new ArgumentOutOfRangeException(nameof(write), write, "A gradient is written with GradientWrite.Accumulate or GradientWrite.Overwrite."),
    };

    /// <summary>The error for a function id outside the model.</summary>
    public static ArgumentOutOfRangeException UnknownFunction(string model, int function, int count) =>
        new(nameof(function), function, $"{model} has {count} function(s) (ids 0..{count - 1}).");
}
