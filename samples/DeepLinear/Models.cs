using NGGen;

namespace NGGen.Samples.DeepLinear;

// Deep linear networks R⁵ → R of depths 1–4 with hidden width 5 for separable logistic regression
// (Kerekes, Mészáros and Huszár 2021). The end-to-end weight vector is w = W_L ⋯ W_1 (a 1×5 row).

/// <summary>Depth 1: f(x) = W1 x.</summary>
[Model]
public partial class Linear1
{
    [Param(1, 5)] Mat W1 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W1 * x;
}

/// <summary>Depth 2: f(x) = W2 W1 x.</summary>
[Model]
public partial class Linear2
{
    [Param(5, 5)] Mat W1 = null!;
    [Param(1, 5)] Mat W2 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W2 * (W1 * x);
}

/// <summary>Depth 3: f(x) = W3 W2 W1 x.</summary>
[Model]
public partial class Linear3
{
    [Param(5, 5)] Mat W1 = null!;
    [Param(5, 5)] Mat W2 = null!;
    [Param(1, 5)] Mat W3 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W3 * (W2 * (W1 * x));
}

/// <summary>Depth 4: f(x) = W4 W3 W2 W1 x.</summary>
[Model]
public partial class Linear4
{
    [Param(5, 5)] Mat W1 = null!;
    [Param(5, 5)] Mat W2 = null!;
    [Param(5, 5)] Mat W3 = null!;
    [Param(1, 5)] Mat W4 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W4 * (W3 * (W2 * (W1 * x)));
}
