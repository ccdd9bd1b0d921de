using NGGen;

namespace NGGen.Samples.DeepLinear;

// Deep matrix factorisations W = W_L ⋯ W_1 (Arora, Cohen, Hu and Luo 2019) for matrix completion, of a
// 50×50 matrix (default run and tests) and a 100×100 one (--full). One sample is one column j of W: the
// inputs are the basis vector e_j and the column's observation mask m_j (1 where entry (i, j) is observed,
// else 0), and the output is m_j ⊙ (W e_j). With the targets m_j ⊙ M e_j the unobserved entries contribute
// residual 0 and a zero Jacobian row, so the squared loss over the d columns is ½ Σ_{(i,j) observed}
// (W_ij − M_ij)². A whole column per sample keeps the products batched (d samples of matrix-vector
// products) where one sample per entry would redo W e_j for every observed entry of its column.

/// <summary>Depth 1, 50×50: W = W1.</summary>
[Model]
public partial class Factorization50x1
{
    [Param(50, 50)] Mat W1 = null!;

    [Forward] Vec Column([Shape(50)] Vec e, [Shape(50)] Vec mask) => mask * (W1 * e);
}

/// <summary>Depth 2, 50×50: W = W2 W1.</summary>
[Model]
public partial class Factorization50x2
{
    [Param(50, 50)] Mat W1 = null!;
    [Param(50, 50)] Mat W2 = null!;

    [Forward] Vec Column([Shape(50)] Vec e, [Shape(50)] Vec mask) => mask * (W2 * (W1 * e));
}

/// <summary>Depth 3, 50×50: W = W3 W2 W1.</summary>
[Model]
public partial class Factorization50x3
{
    [Param(50, 50)] Mat W1 = null!;
    [Param(50, 50)] Mat W2 = null!;
    [Param(50, 50)] Mat W3 = null!;

    [Forward] Vec Column([Shape(50)] Vec e, [Shape(50)] Vec mask) => mask * (W3 * (W2 * (W1 * e)));
}

/// <summary>Depth 1, 100×100: W = W1.</summary>
[Model]
public partial class Factorization100x1
{
    [Param(100, 100)] Mat W1 = null!;

    [Forward] Vec Column([Shape(100)] Vec e, [Shape(100)] Vec mask) => mask * (W1 * e);
}

/// <summary>Depth 2, 100×100: W = W2 W1.</summary>
[Model]
public partial class Factorization100x2
{
    [Param(100, 100)] Mat W1 = null!;
    [Param(100, 100)] Mat W2 = null!;

    [Forward] Vec Column([Shape(100)] Vec e, [Shape(100)] Vec mask) => mask * (W2 * (W1 * e));
}

/// <summary>Depth 3, 100×100: W = W3 W2 W1.</summary>
[Model]
public partial class Factorization100x3
{
    [Param(100, 100)] Mat W1 = null!;
    [Param(100, 100)] Mat W2 = null!;
    [Param(100, 100)] Mat W3 = null!;

    [Forward] Vec Column([Shape(100)] Vec e, [Shape(100)] Vec mask) => mask * (W3 * (W2 * (W1 * e)));
}
