using System.Numerics;

namespace NGGen.Checking;

/// <summary>
/// Numerical checks of generated model code against independent references (JAX check_jvp/check_vjp,
/// Ceres gradient_checker). The measures and the tolerances NGGen's own tests use:
/// forward vs the eager oracle: ‖gen − ref‖∞ ≤ 1e-12 · max(1, ‖ref‖∞) in double;
/// JVP vs Richardson-extrapolated central differences: ‖Jv − fd‖ ≤ 1e-7 · max(‖fd‖, 1e-3·‖F‖);
/// VJP dot-product test: |⟨Jv,u⟩ − ⟨v,Jᵀu⟩| ≤ 1e-12 · ‖Jv‖‖u‖ (the Cauchy–Schwarz scale of the sums);
/// float vs double generated code: relative max-norm ≤ 1e-4.
/// </summary>
public static class GradientChecker
{
    /// <summary>Uniform entries in ±<paramref name="scale"/>.</summary>
    public static double[] RandomVector(Random random, int length, double scale = 1.0)
    {
        var v = new double[length];
        for (int i = 0; i < length; i++)
            v[i] = scale * (2 * random.NextDouble() - 1);
        return v;
    }

    /// <summary>The model's initial θ (seed 42) perturbed uniformly by ±<paramref name="scale"/>.</summary>
    public static double[] RandomParameters<TModel>(Random random, double scale = 0.7) where TModel : IModel<TModel>
    {
        var theta = new double[TModel.ParameterCount];
        TModel.InitializeParameters<double>(theta, 42);
        for (int i = 0; i < theta.Length; i++)
            theta[i] += scale * (2 * random.NextDouble() - 1);
        return theta;
    }

    /// <summary>Inputs in feature-major layout: inputSize rows of batch samples.</summary>
    public static double[] RandomInputs<TModel>(Random random, int function, int batch, double low = -1, double high = 1) where TModel : IModel<TModel>
    {
        var x = new double[TModel.Functions[function].InputSize * batch];
        for (int i = 0; i < x.Length; i++)
            x[i] = low + (high - low) * random.NextDouble();
        return x;
    }

    /// <summary>Allocating convenience wrapper around <c>TModel.Forward</c>.</summary>
    public static T[] Forward<TModel, T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch)
        where TModel : IModel<TModel> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var outputs = new T[TModel.Functions[function].OutputSize * batch];
        var workspace = new T[TModel.WorkspaceLength(function, EvaluationKind.Forward, batch)];
        TModel.Forward(function, theta, inputs, batch, outputs, workspace);
        return outputs;
    }

    /// <summary>Allocating convenience wrapper around <c>TModel.Jvp</c>.</summary>
    public static T[] Jvp<TModel, T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch, ReadOnlySpan<T> tangent)
        where TModel : IModel<TModel> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var jvp = new T[TModel.Functions[function].OutputSize * batch];
        var workspace = new T[TModel.WorkspaceLength(function, EvaluationKind.Jvp, batch)];
        TModel.Jvp(function, theta, inputs, batch, tangent, jvp, workspace);
        return jvp;
    }

    /// <summary>Allocating convenience wrapper around <c>TModel.Vjp</c> (fresh zero gradient).</summary>
    public static T[] Vjp<TModel, T>(int function, ReadOnlySpan<T> theta, ReadOnlySpan<T> inputs, int batch, ReadOnlySpan<T> cotangent)
        where TModel : IModel<TModel> where T : unmanaged, IFloatingPointIeee754<T>
    {
        var gradient = new T[TModel.ParameterCount];
        var workspace = new T[TModel.WorkspaceLength(function, EvaluationKind.Vjp, batch)];
        TModel.Vjp(function, theta, inputs, batch, cotangent, gradient, workspace);
        return gradient;
    }

    /// <summary>The eager oracle on every sample, in the batched feature-major layout.</summary>
    public static double[] Reference<TModel>(int function, double[] theta, double[] inputs, int batch) where TModel : IModel<TModel>
    {
        var info = TModel.Functions[function];
        var result = new double[info.OutputSize * batch];
        var sample = new double[info.InputSize];
        var output = new double[info.OutputSize];
        for (int s = 0; s < batch; s++)
        {
            for (int i = 0; i < info.InputSize; i++)
                sample[i] = inputs[i * batch + s];
            TModel.ReferenceForward(function, theta, sample, output);
            for (int o = 0; o < info.OutputSize; o++)
                result[o * batch + s] = output[o];
        }
        return result;
    }

    /// <summary>‖x‖∞.</summary>
    public static double MaxAbs(ReadOnlySpan<double> x)
    {
        double m = 0;
        foreach (double v in x)
            m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>‖x − y‖∞.</summary>
    public static double MaxAbsDifference(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double m = 0;
        for (int i = 0; i < x.Length; i++)
            m = Math.Max(m, Math.Abs(x[i] - y[i]));
        return m;
    }

    /// <summary>‖a − b‖₂ / ‖b‖₂.</summary>
    public static double RelativeL2Difference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++)
        {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }
        return Math.Sqrt(num / den);
    }

    /// <summary>‖x‖₂.</summary>
    public static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(Dot(x, x));

    /// <summary>⟨x, y⟩.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
            s += x[i] * y[i];
        return s;
    }

    /// <summary>‖gen − ref‖∞ / max(1, ‖ref‖∞) for the generated double Forward against the eager oracle.</summary>
    public static double ForwardVsReference<TModel>(int function, double[] theta, double[] inputs, int batch) where TModel : IModel<TModel>
    {
        var generated = Forward<TModel, double>(function, theta, inputs, batch);
        var reference = Reference<TModel>(function, theta, inputs, batch);
        return MaxAbsDifference(generated, reference) / Math.Max(1, MaxAbs(reference));
    }

    /// <summary>Relative error ‖Jv − fd‖ / max(‖fd‖, 1e-3‖F‖) of the generated JVP against central
    /// differences of the generated Forward, Richardson-extrapolated: (4·D(h/2) − D(h)) / 3 with
    /// D(h) = (F(θ + hv) − F(θ − hv)) / 2h and h = 1e-3 / ‖v‖∞, so the truncation error is O(h⁴) and
    /// the step does not depend on how the parameters are scaled. For piecewise-linear functions
    /// (<paramref name="nonsmooth"/>: Abs, Relu) a step that crosses a kink would be wrong, so a plain
    /// central difference with h = 1e-7 / ‖v‖∞ is used instead (exact on each linear piece).</summary>
    public static double JvpVsCentralDifferences<TModel>(int function, double[] theta, double[] inputs, int batch, double[] tangent, bool nonsmooth = false) where TModel : IModel<TModel>
    {
        var jvp = Jvp<TModel, double>(function, theta, inputs, batch, tangent);
        double h = (nonsmooth ? 1e-7 : 1e-3) / MaxAbs(tangent);
        var coarse = CentralDifference<TModel>(function, theta, inputs, batch, tangent, h);
        var fine = nonsmooth ? coarse : CentralDifference<TModel>(function, theta, inputs, batch, tangent, h / 2);
        var diff = new double[jvp.Length];
        var fd = new double[jvp.Length];
        for (int i = 0; i < fd.Length; i++)
        {
            fd[i] = nonsmooth ? coarse[i] : (4 * fine[i] - coarse[i]) / 3;
            diff[i] = jvp[i] - fd[i];
        }
        double scale = Math.Max(Norm(fd), 1e-3 * Norm(Forward<TModel, double>(function, theta, inputs, batch)));
        return scale == 0 ? Norm(diff) : Norm(diff) / scale;
    }

    private static double[] CentralDifference<TModel>(int function, double[] theta, double[] inputs, int batch, double[] tangent, double h) where TModel : IModel<TModel>
    {
        var plus = (double[])theta.Clone();
        var minus = (double[])theta.Clone();
        for (int i = 0; i < theta.Length; i++)
        {
            plus[i] += h * tangent[i];
            minus[i] -= h * tangent[i];
        }
        var fPlus = Forward<TModel, double>(function, plus, inputs, batch);
        var fMinus = Forward<TModel, double>(function, minus, inputs, batch);
        var d = new double[fPlus.Length];
        for (int i = 0; i < d.Length; i++)
            d[i] = (fPlus[i] - fMinus[i]) / (2 * h);
        return d;
    }

    /// <summary>|⟨Jv,u⟩ − ⟨v,Jᵀu⟩| / (‖Jv‖‖u‖).</summary>
    public static double DotProductTest<TModel>(int function, double[] theta, double[] inputs, int batch, double[] tangent, double[] cotangent) where TModel : IModel<TModel>
    {
        var jv = Jvp<TModel, double>(function, theta, inputs, batch, tangent);
        var jtu = Vjp<TModel, double>(function, theta, inputs, batch, cotangent);
        double left = Dot(jv, cotangent), right = Dot(tangent, jtu);
        double scale = Norm(jv) * Norm(cotangent);
        if (scale == 0)
            throw new InvalidOperationException($"{TModel.Name}.{TModel.Functions[function].Name}: J·v is zero, so the dot-product test would prove nothing; use another tangent.");
        return Math.Abs(left - right) / scale;
    }

    /// <summary>Relative max-norm difference between the float and double generated code (Forward, Jvp, Vjp).</summary>
    public static double FloatVsDouble<TModel>(int function, double[] theta, double[] inputs, int batch, double[] tangent, double[] cotangent) where TModel : IModel<TModel>
    {
        static float[] F(double[] x) => x.Select(v => (float)v).ToArray();
        static double Rel(float[] f, double[] d) => MaxAbsDifference(f.Select(v => (double)v).ToArray(), d) / Math.Max(1e-30, MaxAbs(d));
        double forward = Rel(Forward<TModel, float>(function, F(theta), F(inputs), batch), Forward<TModel, double>(function, theta, inputs, batch));
        double jvp = Rel(Jvp<TModel, float>(function, F(theta), F(inputs), batch, F(tangent)), Jvp<TModel, double>(function, theta, inputs, batch, tangent));
        double vjp = Rel(Vjp<TModel, float>(function, F(theta), F(inputs), batch, F(cotangent)), Vjp<TModel, double>(function, theta, inputs, batch, cotangent));
        return Math.Max(forward, Math.Max(jvp, vjp));
    }

    /// <summary>
    /// Relative max-norm difference between the linearized entry points (Linearize once, then
    /// LinearizedJvp and LinearizedVjp) and the direct Forward, Jvp and Vjp. Buffers start filled with
    /// NaN, so a value the linearized programs read but Linearize did not store shows up as NaN.
    /// </summary>
    public static double LinearizedVsDirect<TModel>(int function, double[] theta, double[] inputs, int batch, double[] tangent, double[] cotangent) where TModel : IModel<TModel>
    {
        var linearization = new double[TModel.LinearizationLength(function, batch)];
        var outputs = new double[TModel.Functions[function].OutputSize * batch];
        var jvp = new double[outputs.Length];
        var gradient = new double[TModel.ParameterCount];
        int workspaceLength = Math.Max(TModel.WorkspaceLength(function, EvaluationKind.Linearize, batch),
            Math.Max(TModel.WorkspaceLength(function, EvaluationKind.LinearizedJvp, batch), TModel.WorkspaceLength(function, EvaluationKind.LinearizedVjp, batch)));
        var workspace = new double[workspaceLength];
        Array.Fill(linearization, double.NaN);
        Array.Fill(workspace, double.NaN);
        TModel.Linearize<double>(function, theta, inputs, batch, linearization, outputs, workspace);
        Array.Fill(workspace, double.NaN);
        TModel.LinearizedJvp<double>(function, theta, inputs, batch, linearization, tangent, jvp, workspace);
        Array.Fill(workspace, double.NaN);
        TModel.LinearizedVjp<double>(function, theta, inputs, batch, linearization, cotangent, gradient, workspace);
        static double Rel(double[] a, double[] b)
        {
            double difference = MaxAbsDifference(a, b);
            return double.IsNaN(difference) ? double.PositiveInfinity : difference / Math.Max(1e-300, MaxAbs(b));
        }
        return Math.Max(Rel(outputs, Forward<TModel, double>(function, theta, inputs, batch)),
            Math.Max(Rel(jvp, Jvp<TModel, double>(function, theta, inputs, batch, tangent)),
                Rel(gradient, Vjp<TModel, double>(function, theta, inputs, batch, cotangent))));
    }

    /// <summary>Runs all four checks on every function of the model with random θ, inputs and directions.</summary>
    public static IReadOnlyList<GradientCheckResult> CheckModel<TModel>(int batch = 64, int seed = 1, double inputLow = -1, double inputHigh = 1)
        where TModel : IModel<TModel>
    {
        var random = new Random(seed);
        var results = new List<GradientCheckResult>();
        for (int f = 0; f < TModel.Functions.Count; f++)
        {
            var theta = RandomParameters<TModel>(random);
            var inputs = RandomInputs<TModel>(random, f, batch, inputLow, inputHigh);
            var tangent = RandomVector(random, TModel.ParameterCount);
            var cotangent = RandomVector(random, TModel.Functions[f].OutputSize * batch);
            results.Add(new GradientCheckResult(
                TModel.Name, TModel.Functions[f].Name, batch,
                ForwardVsReference<TModel>(f, theta, inputs, batch),
                JvpVsCentralDifferences<TModel>(f, theta, inputs, batch, tangent),
                DotProductTest<TModel>(f, theta, inputs, batch, tangent, cotangent),
                FloatVsDouble<TModel>(f, theta, inputs, batch, tangent, cotangent)));
        }
        return results;
    }
}

/// <summary>The four measures of one function (see <see cref="GradientChecker"/> for their definitions).</summary>
public sealed record GradientCheckResult(string Model, string Function, int Batch,
    double ForwardVsReference, double JvpVsFiniteDifferences, double DotProductTest, double FloatVsDouble);
