using System.Numerics;

namespace NGGen.Bench;

/// <summary>Before timing: the generated code and the hand-written baseline compute the same numbers.</summary>
public static class AgreementCheck
{
    public static void Verify<TModel, T>(HandWrittenMlp<T> handWritten, T[] theta, T[] featureMajor, T[] sampleMajor, T[] tangent, T[] cotangentFeatureMajor, int batch)
        where TModel : IModel<TModel> where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = TModel.Functions[0].OutputSize;
        var workspace = new T[new[] { EvaluationKind.Forward, EvaluationKind.Jvp, EvaluationKind.Vjp }.Max(k => TModel.WorkspaceLength(0, k, batch))];
        var generated = new T[width * batch];
        var baseline = new T[width * batch];

        TModel.Forward<T>(0, theta, featureMajor, batch, generated, workspace);
        handWritten.Forward(theta, sampleMajor, batch, baseline);
        Compare("Forward", generated, ToFeatureMajor(baseline, width, batch));

        TModel.Jvp<T>(0, theta, featureMajor, batch, tangent, generated, workspace);
        handWritten.Jvp(theta, sampleMajor, batch, tangent, baseline);
        Compare("Jvp", generated, ToFeatureMajor(baseline, width, batch));

        var gradientGenerated = new T[TModel.ParameterCount];
        var gradientBaseline = new T[TModel.ParameterCount];
        TModel.Vjp<T>(0, theta, featureMajor, batch, cotangentFeatureMajor, gradientGenerated, workspace);
        handWritten.Vjp(theta, sampleMajor, batch, ToSampleMajor(cotangentFeatureMajor, width, batch), gradientBaseline);
        Compare("Vjp", gradientGenerated, gradientBaseline);
    }

    private static T[] ToFeatureMajor<T>(T[] sampleMajor, int width, int batch)
    {
        var result = new T[sampleMajor.Length];
        for (int s = 0; s < batch; s++)
            for (int i = 0; i < width; i++)
                result[i * batch + s] = sampleMajor[s * width + i];
        return result;
    }

    private static T[] ToSampleMajor<T>(T[] featureMajor, int width, int batch)
    {
        var result = new T[featureMajor.Length];
        for (int s = 0; s < batch; s++)
            for (int i = 0; i < width; i++)
                result[s * width + i] = featureMajor[i * batch + s];
        return result;
    }

    private static void Compare<T>(string what, T[] a, T[] b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double worst = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(double.CreateTruncating(a[i]) - double.CreateTruncating(b[i])));
            scale = Math.Max(scale, Math.Abs(double.CreateTruncating(b[i])));
        }
        double tolerance = typeof(T) == typeof(float) ? 1e-3 : 1e-10;
        if (worst > tolerance * Math.Max(1, scale))
            throw new InvalidOperationException($"{what}: generated and hand-written results differ by {worst:E2} (scale {scale:E2}); the benchmark would compare different computations.");
    }
}
