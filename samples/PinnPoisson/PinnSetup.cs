using NGGen.Solvers;

namespace NGGen.Samples.PinnPoisson;

/// <summary>One PINN problem: its collocation blocks (the training loss), the network function u_θ and a test set
/// with the exact solution u* (the error). Thread-safe to share: every run makes its own problem and error meter.</summary>
public sealed class PinnSetup<TModel> where TModel : IModel<TModel>
{
    private readonly ResidualBlock[] _blocks;
    private readonly int _uFunction;
    private readonly double[] _testPoints;
    private readonly double[] _exact;

    /// <param name="name">The problem's name in tables and plots.</param>
    /// <param name="blocks">The residual blocks; the loss is Σ_blocks w·½Σ r².</param>
    /// <param name="uFunction">The model function of the network output u_θ (one scalar per sample).</param>
    /// <param name="testPoints">Feature-major test points.</param>
    /// <param name="exact">u* at the test points.</param>
    public PinnSetup(string name, ResidualBlock[] blocks, int uFunction, double[] testPoints, double[] exact)
    {
        if (blocks.Length == 0)
            throw new ArgumentException("A PINN setup needs at least one residual block.", nameof(blocks));
        if (TModel.Functions[uFunction].OutputSize != 1)
            throw new ArgumentException($"{TModel.Name} function {uFunction} is not scalar-valued.", nameof(uFunction));
        if (exact.Length == 0 || testPoints.Length % exact.Length != 0)
            throw new ArgumentException($"{testPoints.Length} test coordinates do not fit {exact.Length} test points.", nameof(testPoints));
        Name = name;
        _blocks = blocks;
        _uFunction = uFunction;
        _testPoints = testPoints;
        _exact = exact;
    }

    /// <summary>The problem's name.</summary>
    public string Name { get; }

    /// <summary>The residual blocks (collocation points, weights).</summary>
    public IReadOnlyList<ResidualBlock> Blocks => _blocks;

    /// <summary>Collocation points over all blocks.</summary>
    public int CollocationPoints => _blocks.Sum(b => b.Batch);

    /// <summary>Test points of the error.</summary>
    public int TestPoints => _exact.Length;

    /// <summary>A fresh training problem over the blocks (its buffers belong to one thread).</summary>
    public TrainingProblem<TModel> CreateProblem() => new(_blocks);

    /// <summary>A fresh error meter (its buffers belong to one thread).</summary>
    public ErrorMeter CreateErrorMeter() => new(this);

    /// <summary>A problem on the first <paramref name="points"/> samples of each block: cheap, for warming up the JIT.</summary>
    public TrainingProblem<TModel> CreateWarmUpProblem(int points)
    {
        var blocks = _blocks.Select(b =>
        {
            int n = Math.Min(points, b.Batch), size = b.Inputs.Length / b.Batch;
            var inputs = new double[size * n];
            for (int i = 0; i < size; i++)
                Array.Copy(b.Inputs, i * b.Batch, inputs, i * n, n);
            return b with { Inputs = inputs, Batch = n, Targets = null };
        }).ToArray();
        return new TrainingProblem<TModel>(blocks);
    }

    /// <summary>Computes ‖u_θ − u*‖₂ / ‖u*‖₂ over the test points.</summary>
    public sealed class ErrorMeter
    {
        private readonly PinnSetup<TModel> _setup;
        private readonly double[] _prediction;
        private readonly double[] _workspace;

        internal ErrorMeter(PinnSetup<TModel> setup)
        {
            _setup = setup;
            _prediction = new double[setup._exact.Length];
            _workspace = new double[TModel.WorkspaceLength(setup._uFunction, EvaluationKind.Forward, setup._exact.Length)];
        }

        /// <summary>The relative L2 error of u_θ on the test points.</summary>
        public double RelativeL2Error(ReadOnlySpan<double> theta)
        {
            var exact = _setup._exact;
            TModel.Forward<double>(_setup._uFunction, theta, _setup._testPoints, exact.Length, _prediction, _workspace);
            double num = 0, den = 0;
            for (int i = 0; i < exact.Length; i++)
            {
                double d = _prediction[i] - exact[i];
                num += d * d;
                den += exact[i] * exact[i];
            }
            return Math.Sqrt(num / den);
        }
    }
}
