namespace NGGen;

public static partial class Ops
{
    // The generator differentiates these exactly (forward mode over the IR). The eager oracle uses
    // fourth-order central differences instead: accurate to about 1e-10 relative, which is why tests
    // compare input derivatives against finite differences rather than at 1e-12.
    private const double StepScale = 2e-3;

    /// <summary>The gradient ∇ₓf of a scalar function of a vector.</summary>
    public static Vec Grad(Func<Vec, double> f, Vec x)
    {
        var g = new Vec(x.Length);
        for (int i = 0; i < x.Length; i++)
            g[i] = FirstDerivative(t => f(Shift(x, i, t)), x[i]);
        return g;
    }

    /// <summary>The Jacobian ∂f/∂x (rows: outputs, columns: inputs).</summary>
    public static Mat Jacobian(Func<Vec, Vec> f, Vec x)
    {
        int m = f(x).Length;
        var jac = new Mat(m, x.Length);
        for (int i = 0; i < x.Length; i++)
            for (int r = 0; r < m; r++)
            {
                int row = r;
                jac[r, i] = FirstDerivative(t => f(Shift(x, i, t))[row], x[i]);
            }
        return jac;
    }

    /// <summary>The derivative of a scalar function of a scalar.</summary>
    public static double Derivative(Func<double, double> f, double x) => FirstDerivative(f, x);

    /// <summary>The Laplacian Σᵢ ∂²f/∂xᵢ² of a scalar function.</summary>
    public static double Laplacian(Func<Vec, double> f, Vec x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += SecondDerivative(t => f(Shift(x, i, t)), x[i]);
        return sum;
    }

    /// <summary>The Laplacian of each output of a vector function.</summary>
    public static Vec Laplacian(Func<Vec, Vec> f, Vec x)
    {
        int m = f(x).Length;
        var result = new Vec(m);
        for (int r = 0; r < m; r++)
        {
            int row = r;
            result[r] = Laplacian(v => f(v)[row], x);
        }
        return result;
    }

    private static Vec Shift(Vec x, int index, double value)
    {
        var shifted = new Vec(x.AsSpan());
        shifted[index] = value;
        return shifted;
    }

    private static double FirstDerivative(Func<double, double> f, double x)
    {
        double h = StepScale * Math.Max(1.0, Math.Abs(x));
        return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h);
    }

    private static double SecondDerivative(Func<double, double> f, double x)
    {
        double h = 4 * StepScale * Math.Max(1.0, Math.Abs(x));
        return (-f(x + 2 * h) + 16 * f(x + h) - 30 * f(x) + 16 * f(x - h) - f(x - 2 * h)) / (12 * h * h);
    }
}
