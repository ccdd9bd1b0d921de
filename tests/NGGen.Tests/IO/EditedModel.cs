using NGGen;
using static NGGen.Ops;

namespace NGGen.Tests.IO.Edited;

/// <summary><see cref="Models.Mlp3"/> after an edit that widened the first layer: same class name, another parameter
/// layout, so a checkpoint of the original must be refused by the layout check, not the model check.</summary>
[Model]
public partial class Mlp3
{
    [Param(20, 3)] Mat W1 = null!;
    [Param(20)] Vec b1 = null!;
    [Param(12, 20)] Mat W2 = null!;
    [Param(12)] Vec b2 = null!;
    [Param(2, 12)] Mat W3 = null!;
    [Param(2)] Vec b3 = null!;

    [Forward]
    Vec Predict(Vec x) => W3 * Gelu(W2 * Tanh(W1 * x + b1) + b2) + b3;
}
