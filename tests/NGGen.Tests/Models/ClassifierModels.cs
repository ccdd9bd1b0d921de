using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.Models;

/// <summary>A tanh MLP R³ → R⁴ whose outputs are read as the logits of four classes (softmax cross-entropy).</summary>
[Model]
public partial class SoftmaxMlp
{
    [Param(16, 3)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(12, 16)] Mat W2 = null!;
    [Param(12)] Vec b2 = null!;
    [Param(4, 12)] Mat W3 = null!;
    [Param(4)] Vec b3 = null!;

    [Forward]
    Vec Logits(Vec x)
    {
        var h1 = Tanh(W1 * x + b1);
        var h2 = Tanh(W2 * h1 + b2);
        return W3 * h2 + b3;
    }
}

/// <summary>A tanh MLP R³ → R with one output read as a logit (binary logistic loss).</summary>
[Model]
public partial class LogisticMlp
{
    [Param(16, 3)] Mat W1 = null!;
    [Param(16)] Vec b1 = null!;
    [Param(1, 16)] Mat W2 = null!;
    [Param(1)] Vec b2 = null!;

    [Forward]
    Vec Logit(Vec x) => W2 * Tanh(W1 * x + b1) + b2;
}
