namespace NGGen.Solvers;

/// <summary>
/// Metrics for the Sobolev natural gradient in derivative form (Bai, Rosenberg and Xu 2022): the H¹
/// inner product of function-space tangents on samples, ⟨δf, δf⟩ = (1/n)Σₛ δf(xₛ)² + β(1/n)Σₛ‖∇ₓδf(xₛ)‖²,
/// pulled back to parameters as G = J_fᵀJ_f/n + β·J_∇fᵀJ_∇f/n. J_∇f is the parameter Jacobian of the
/// model's input derivative, which the generator differentiates like any other function: declare it
/// with <c>Grad(U, x)</c> or <c>Derivative(U, x)</c>. Pass the result as the metric of <see cref="NaturalGradient{TModel}"/>.
/// </summary>
public static class SobolevMetric
{
    /// <summary>The H¹ metric problem on <paramref name="batch"/> samples (feature-major <paramref name="samples"/>).</summary>
    /// <param name="valueFunction">The function f (one output per sample, or several).</param>
    /// <param name="derivativeFunction">Its input derivative ∇ₓf (OutputSize(f) × InputSize entries per sample).</param>
    /// <param name="samples">Where the metric is measured, feature-major.</param>
    /// <param name="batch">Number of samples.</param>
    /// <param name="derivativeWeight">β, the weight of the derivative term (β = 0 gives the L² metric). Default 1.</param>
    public static TrainingProblem<TModel> H1<TModel>(int valueFunction, int derivativeFunction, double[] samples, int batch, double derivativeWeight = 1.0)
        where TModel : IModel<TModel>
    {
        var value = TModel.Functions[valueFunction];
        var derivative = TModel.Functions[derivativeFunction];
        if (value.InputSize != derivative.InputSize)
            throw new ArgumentException($"{TModel.Name}: {value.Name} takes {value.InputSize} inputs per sample but {derivative.Name} takes {derivative.InputSize}; the derivative must be of the same function.");
        if (derivative.OutputSize != value.OutputSize * value.InputSize)
            throw new ArgumentException($"{TModel.Name}: {derivative.Name} has {derivative.OutputSize} outputs per sample; the input derivative of {value.Name} has {value.OutputSize} × {value.InputSize}.");
        if (!(derivativeWeight >= 0) || double.IsInfinity(derivativeWeight))
            throw new ArgumentOutOfRangeException(nameof(derivativeWeight), derivativeWeight, "The derivative weight β must be finite and ≥ 0.");
        var blocks = new List<ResidualBlock> { new(valueFunction, samples, batch, Weight: 1.0 / batch) };
        if (derivativeWeight > 0)
            blocks.Add(new ResidualBlock(derivativeFunction, samples, batch, Weight: derivativeWeight / batch));
        return new TrainingProblem<TModel>(blocks.ToArray());
    }
}
