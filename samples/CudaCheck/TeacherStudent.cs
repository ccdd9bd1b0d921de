using NGGen.Checking;
using NGGen.Tests.Models;

namespace NGGen.Samples.CudaCheck;

/// <summary>
/// The teacher-student regression the GPU solver runs use: Mlp3 fitting another Mlp3's outputs on random inputs,
/// with weight 1/batch, from a fixed start.
/// </summary>
public sealed record TeacherStudent(double[] Inputs, double[] Targets, double[] Start, int Batch)
{
    public double Weight => 1.0 / Batch;

    public static TeacherStudent Create(int batch)
    {
        var random = new Random(5);
        var inputs = Enumerable.Range(0, 3 * batch).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
        var teacher = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(teacher, 99);
        var targets = GradientChecker.Forward<Mlp3, double>(0, teacher, inputs, batch);
        var start = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(start, 1);
        return new TeacherStudent(inputs, targets, start, batch);
    }

    /// <summary>|gpu − cpu| / |cpu| per entry of two cost curves.</summary>
    public static double[] RelativeDifferences(double[] cpu, double[] gpu)
        => cpu.Select((value, i) => Math.Abs(gpu[i] - value) / Math.Abs(value)).ToArray();
}
