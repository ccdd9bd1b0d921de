using NGGen.Solvers;

namespace NGGen.Tests.Models;

/// <summary>
/// Regression of <see cref="Mlp3"/> onto targets another <see cref="Mlp3"/> (the "teacher") produced, so the student
/// can fit them exactly (cost → 0): the network problem the solver tests share.
/// </summary>
public static class TeacherStudent
{
    /// <summary>Inputs uniform in [−1, 1]³ from <paramref name="inputSeed"/>, teacher initialised with
    /// <paramref name="teacherSeed"/>, squared loss weighted 1/batch.</summary>
    public static TrainingProblem<Mlp3> Problem(int batch, int inputSeed, ulong teacherSeed = 99)
    {
        var random = new Random(inputSeed);
        var inputs = Enumerable.Range(0, 3 * batch).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var teacher = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(teacher, teacherSeed);
        var targets = NGGen.Checking.GradientChecker.Forward<Mlp3, double>(0, teacher, inputs, batch);
        return new TrainingProblem<Mlp3>(new ResidualBlock(0, inputs, batch, targets, 1.0 / batch));
    }
}
