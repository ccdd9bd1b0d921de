using NGGen;

namespace NGGen.Tests.Models;

// Deep linear networks R³ → R of depths 1–4 (Kerekes, Mészáros and Huszár 2021). Hidden layers are 3×3;
// with the last layer equal to a and the others the identity, every depth computes the same map aᵀx.

[Model]
public partial class DeepLinear1
{
    [Param(1, 3)] Mat W1 = null!;

    [Forward] Vec F([Shape(3)] Vec x) => W1 * x;
}

[Model]
public partial class DeepLinear2
{
    [Param(3, 3)] Mat W1 = null!;
    [Param(1, 3)] Mat W2 = null!;

    [Forward] Vec F([Shape(3)] Vec x) => W2 * (W1 * x);
}

[Model]
public partial class DeepLinear3
{
    [Param(3, 3)] Mat W1 = null!;
    [Param(3, 3)] Mat W2 = null!;
    [Param(1, 3)] Mat W3 = null!;

    [Forward] Vec F([Shape(3)] Vec x) => W3 * (W2 * (W1 * x));
}

[Model]
public partial class DeepLinear4
{
    [Param(3, 3)] Mat W1 = null!;
    [Param(3, 3)] Mat W2 = null!;
    [Param(3, 3)] Mat W3 = null!;
    [Param(1, 3)] Mat W4 = null!;

    [Forward] Vec F([Shape(3)] Vec x) => W4 * (W3 * (W2 * (W1 * x)));
}
