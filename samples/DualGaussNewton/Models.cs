using NGGen;
using static NGGen.Ops;

namespace NGGen.Samples.DualGaussNewton;

// The sweep's networks: R⁸ → R¹⁰ tanh MLPs with two hidden layers of width w, p = w² + 20w + 10 parameters.
// The ten outputs are read as regression targets (squared loss) or as class logits (softmax cross-entropy).
// Widths are attribute literals, so each width is its own model class.

/// <summary>Tanh MLP 8 → 16 → 16 → 10 (586 parameters).</summary>
[Model]
public partial class Mlp16
{
    [Param(16, 8)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(16, 16)] Mat W2 = null!;
    [Param(16)] Vec b2 = null!;
    [Param(10, 16)] Mat W3 = null!;
    [Param(10)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>Tanh MLP 8 → 32 → 32 → 10 (1,674 parameters).</summary>
[Model]
public partial class Mlp32
{
    [Param(32, 8)] Mat W1 = null!;
    [Param(32)] Vec b1 = null!;
    [Param(32, 32)] Mat W2 = null!;
    [Param(32)] Vec b2 = null!;
    [Param(10, 32)] Mat W3 = null!;
    [Param(10)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>Tanh MLP 8 → 64 → 64 → 10 (5,386 parameters).</summary>
[Model]
public partial class Mlp64
{
    [Param(64, 8)] Mat W1 = null!;
    [Param(64)] Vec b1 = null!;
    [Param(64, 64)] Mat W2 = null!;
    [Param(64)] Vec b2 = null!;
    [Param(10, 64)] Mat W3 = null!;
    [Param(10)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>Tanh MLP 8 → 128 → 128 → 10 (18,954 parameters).</summary>
[Model]
public partial class Mlp128
{
    [Param(128, 8)] Mat W1 = null!;
    [Param(128)] Vec b1 = null!;
    [Param(128, 128)] Mat W2 = null!;
    [Param(128)] Vec b2 = null!;
    [Param(10, 128)] Mat W3 = null!;
    [Param(10)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>Tanh MLP 8 → 256 → 256 → 10 (70,666 parameters).</summary>
[Model]
public partial class Mlp256
{
    [Param(256, 8)] Mat W1 = null!;
    [Param(256)] Vec b1 = null!;
    [Param(256, 256)] Mat W2 = null!;
    [Param(256)] Vec b2 = null!;
    [Param(10, 256)] Mat W3 = null!;
    [Param(10)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}
