using NGGen.Solvers;

namespace NGGen.Samples.DualGaussNewton;

/// <summary>The synthetic data: inputs uniform on [−1, 1]⁸, targets from a fixed random teacher network (the
/// width-16 MLP with its own seed): its ten outputs for regression, its arg-max class for classification.</summary>
public static class Problems
{
    /// <summary>Inputs (feature-major, 8 × <paramref name="batch"/>) drawn from <paramref name="seed"/>.</summary>
    public static double[] Inputs(int batch, int seed)
    {
        var random = new Random(seed);
        var x = new double[8 * batch];
        for (int i = 0; i < x.Length; i++)
            x[i] = 2 * random.NextDouble() - 1;
        return x;
    }

    /// <summary>The teacher's ten outputs on <paramref name="inputs"/> (feature-major, 10 × batch): logits that are
    /// confident enough to define classes, smooth enough to regress.</summary>
    public static double[] Teacher(double[] inputs, int batch, int seed)
    {
        var theta = new double[Mlp16.ParameterCount];
        Mlp16.InitializeParameters<double>(theta, (ulong)(seed + 7919));
        // ×3 sharpens the teacher so that its classes are not a near-uniform draw.
        for (int j = 0; j < theta.Length; j++)
            theta[j] *= 3;
        var problem = new TrainingProblem<Mlp16>(new ResidualBlock(0, inputs, batch));
        var outputs = new double[10 * batch];
        problem.Residuals(theta, outputs);
        return outputs;
    }

    /// <summary>One-hot targets (10 × batch) of the teacher's arg-max class.</summary>
    public static double[] OneHot(double[] logits, int batch)
    {
        var y = new double[logits.Length];
        for (int s = 0; s < batch; s++)
        {
            int best = 0;
            for (int c = 1; c < 10; c++)
                if (logits[c * batch + s] > logits[best * batch + s])
                    best = c;
            y[best * batch + s] = 1;
        }
        return y;
    }

    /// <summary>A mean-loss problem on <paramref name="batch"/> samples for model <typeparamref name="TModel"/>
    /// (ten outputs): squared loss on the teacher's outputs or softmax cross-entropy on its classes.</summary>
    public static TrainingProblem<TModel> Create<TModel>(LossKind loss, int batch, int seed) where TModel : IModel<TModel>
    {
        var x = Inputs(batch, seed);
        var teacher = Teacher(x, batch, seed);
        return loss == LossKind.Squared
            ? new TrainingProblem<TModel>(new ResidualBlock(0, x, batch, teacher, 1.0 / batch))
            : new TrainingProblem<TModel>(new ResidualBlock(0, x, batch, OneHot(teacher, batch), 1.0 / batch, OutputLoss: OutputLoss.SoftmaxCrossEntropy));
    }

    /// <summary>Mini-batch <paramref name="index"/> (samples index·b … index·b + b − 1) of a softmax problem on
    /// <paramref name="samples"/> samples, as its own mean-loss problem.</summary>
    public static TrainingProblem<TModel> MiniBatch<TModel>(double[] inputs, double[] targets, int samples, int batch, int index) where TModel : IModel<TModel>
    {
        if (batch <= 0 || (index + 1) * batch > samples || index < 0)
            throw new ArgumentOutOfRangeException(nameof(index), $"Mini-batch {index} of size {batch} does not fit in {samples} samples.");
        // Feature-major: entry i of sample s is at i·samples + s, so a mini-batch is a column range of every row.
        var x = new double[8 * batch];
        var y = new double[10 * batch];
        for (int i = 0; i < 8; i++)
            Array.Copy(inputs, i * samples + index * batch, x, i * batch, batch);
        for (int c = 0; c < 10; c++)
            Array.Copy(targets, c * samples + index * batch, y, c * batch, batch);
        return new TrainingProblem<TModel>(new ResidualBlock(0, x, batch, y, 1.0 / batch, OutputLoss: OutputLoss.SoftmaxCrossEntropy));
    }

    /// <summary>The model's initial parameters for <paramref name="seed"/>.</summary>
    public static double[] InitialParameters<TModel>(int seed) where TModel : IModel<TModel>
    {
        var theta = new double[TModel.ParameterCount];
        TModel.InitializeParameters<double>(theta, (ulong)seed);
        return theta;
    }
}

/// <summary>The two output losses of the sweep.</summary>
public enum LossKind
{
    /// <summary>½‖z − y‖² on ten regression outputs (H = I).</summary>
    Squared,
    /// <summary>Softmax cross-entropy on ten logits (H = diag(p) − ppᵀ per sample).</summary>
    SoftmaxCrossEntropy,
}
