using NGGen.Tests.Models;

namespace NGGen.Tests.Generated;

/// <summary>Forward, Jvp and Vjp allocate nothing once warm (workspaces are sized at build time).</summary>
public class AllocationTests
{
    private static long AllocatedBy(Action action)
    {
        // Warm up past tiered compilation: the runtime's first calls (tier-0 stubs, generic
        // dictionaries) allocate on this thread; the steady state must not.
        for (int i = 0; i < 200; i++)
            action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
            action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void AssertNoAllocation<TModel, T>(int function, int batch)
        where TModel : IModel<TModel> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var info = TModel.Functions[function];
        var theta = new T[TModel.ParameterCount];
        TModel.InitializeParameters<T>(theta, 3);
        var inputs = new T[info.InputSize * batch];
        for (int i = 0; i < inputs.Length; i++)
            inputs[i] = T.CreateTruncating(Math.Sin(i));
        var outputs = new T[info.OutputSize * batch];
        var tangent = new T[TModel.ParameterCount];
        tangent.AsSpan().Fill(T.One);
        var gradient = new T[TModel.ParameterCount];
        int length = new[] { EvaluationKind.Forward, EvaluationKind.Jvp, EvaluationKind.Vjp }.Max(k => TModel.WorkspaceLength(function, k, batch));
        var workspace = new T[length];

        Assert.Equal(0, AllocatedBy(() => TModel.Forward<T>(function, theta, inputs, batch, outputs, workspace)));
        Assert.Equal(0, AllocatedBy(() => TModel.Jvp<T>(function, theta, inputs, batch, tangent, outputs, workspace)));
        Assert.Equal(0, AllocatedBy(() => TModel.Vjp<T>(function, theta, inputs, batch, outputs, gradient, workspace)));
    }

    [Fact]
    public void Mlp_allocates_nothing() => AssertNoAllocation<Mlp3, double>(0, 300);

    [Fact]
    public void Mlp_float_allocates_nothing() => AssertNoAllocation<Mlp3, float>(0, 300);

    [Fact]
    public void Poisson_residuals_allocate_nothing()
    {
        AssertNoAllocation<PoissonNet, double>(PoissonNet.InteriorFunction, 784);
        AssertNoAllocation<PoissonNet, float>(PoissonNet.BoundaryFunction, 116);
    }

    [Fact]
    public void Curve_model_allocates_nothing() => AssertNoAllocation<Rat43.Compiled, double>(0, 50);
}
