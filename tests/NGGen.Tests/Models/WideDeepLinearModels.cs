using NGGen;

namespace NGGen.Tests.Models;

// Deep linear networks R⁵ → R of depths 1–4 with hidden width 5, for separable logistic regression on
// fewer samples than inputs (Kerekes, Mészáros and Huszár 2021). The end-to-end weight vector is
// w = W_L ⋯ W_1 (a 1×5 row).

[Model]
public partial class WideDeepLinear1
{
    [Param(1, 5)] Mat W1 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W1 * x;
}

[Model]
public partial class WideDeepLinear2
{
    [Param(5, 5)] Mat W1 = null!;
    [Param(1, 5)] Mat W2 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W2 * (W1 * x);
}

[Model]
public partial class WideDeepLinear3
{
    [Param(5, 5)] Mat W1 = null!;
    [Param(5, 5)] Mat W2 = null!;
    [Param(1, 5)] Mat W3 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W3 * (W2 * (W1 * x));
}

[Model]
public partial class WideDeepLinear4
{
    [Param(5, 5)] Mat W1 = null!;
    [Param(5, 5)] Mat W2 = null!;
    [Param(5, 5)] Mat W3 = null!;
    [Param(1, 5)] Mat W4 = null!;

    [Forward] Vec F([Shape(5)] Vec x) => W4 * (W3 * (W2 * (W1 * x)));
}
