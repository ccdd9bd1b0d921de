using NGGen;
using static NGGen.Ops;

namespace NGGen.Bench;

/// <summary>The benchmark MLP, 64 wide: x ∈ R⁶⁴ → tanh → tanh → linear R⁶⁴.</summary>
[Model]
public partial class Mlp64
{
    [Param(64, 64)] Mat W1 = null!;
    [Param(64)] Vec b1 = null!;
    [Param(64, 64)] Mat W2 = null!;
    [Param(64)] Vec b2 = null!;
    [Param(64, 64)] Mat W3 = null!;
    [Param(64)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>The benchmark MLP, 256 wide.</summary>
[Model]
public partial class Mlp256
{
    [Param(256, 256)] Mat W1 = null!;
    [Param(256)] Vec b1 = null!;
    [Param(256, 256)] Mat W2 = null!;
    [Param(256)] Vec b2 = null!;
    [Param(256, 256)] Mat W3 = null!;
    [Param(256)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>The benchmark MLP, 16 wide (the peer benchmarks' smallest size).</summary>
[Model]
public partial class Mlp16
{
    [Param(16, 16)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(16, 16)] Mat W2 = null!;
    [Param(16)] Vec b2 = null!;
    [Param(16, 16)] Mat W3 = null!;
    [Param(16)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}

/// <summary>The benchmark MLP, 1024 wide (the peer benchmarks' largest size).</summary>
[Model]
public partial class Mlp1024
{
    [Param(1024, 1024)] Mat W1 = null!;
    [Param(1024)] Vec b1 = null!;
    [Param(1024, 1024)] Mat W2 = null!;
    [Param(1024)] Vec b2 = null!;
    [Param(1024, 1024)] Mat W3 = null!;
    [Param(1024)] Vec b3 = null!;

    [Forward] Vec Predict(Vec x) => W3 * Tanh(W2 * Tanh(W1 * x + b1) + b2) + b3;
}
