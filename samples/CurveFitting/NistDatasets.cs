namespace NGGen.Samples.CurveFitting;

/// <summary>A NIST StRD nonlinear regression problem: the data file, the model, NIST's two starting points and its
/// certified results (11 significant digits, from https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml).</summary>
public sealed record NistDataset(
    string Name,
    string Difficulty,
    ICurveModel Model,
    double[] Start1,
    double[] Start2,
    double[] CertifiedParameters,
    double[] CertifiedStandardErrors,
    double CertifiedResidualSumOfSquares)
{
    /// <summary>The CSV file, next to the binary.</summary>
    public string DataPath => Path.Combine(AppContext.BaseDirectory, "data", Name + ".csv");

    /// <summary>The five datasets this sample fits, from NIST's lower and higher difficulty classes.</summary>
    public static IReadOnlyList<NistDataset> All { get; } =
    [
        new("Misra1a", "lower", new CurveModel<ExponentialRise.Compiled>(),
            [500, 1e-4], [250, 5e-4],
            [2.3894212918E+02, 5.5015643181E-04], [2.7070075241E+00, 7.2668688436E-06], 1.2455138894E-01),
        new("BoxBOD", "higher", new CurveModel<ExponentialRise.Compiled>(),
            [1, 1], [100, 0.75],
            [2.1380940889E+02, 5.4723748542E-01], [1.2354515176E+01, 1.0455993237E-01], 1.1680088766E+03),
        new("Rat43", "higher", new CurveModel<Sigmoid4.Compiled>(),
            [100, 10, 1, 1], [700, 5, 0.75, 1.3],
            [6.9964151270E+02, 5.2771253025E+00, 7.5962938329E-01, 1.2792483859E+00],
            [1.6302297817E+01, 2.0828735829E+00, 1.9566123451E-01, 6.8761936385E-01], 8.7864049080E+03),
        new("Eckerle4", "higher", new CurveModel<GaussianPeak.Compiled>(),
            [1, 10, 500], [1.5, 5, 450],
            [1.5543827178E+00, 4.0888321754E+00, 4.5154121844E+02], [1.5408051163E-02, 4.6803020753E-02, 4.6800518816E-02], 1.4635887487E-03),
        new("Thurber", "higher", new CurveModel<Rational33.Compiled>(),
            [1000, 1000, 400, 40, 0.7, 0.3, 0.03], [1300, 1500, 500, 75, 1, 0.4, 0.05],
            [1.2881396800E+03, 1.4910792535E+03, 5.8323836877E+02, 7.5416644291E+01, 9.6629502864E-01, 3.9797285797E-01, 4.9727297349E-02],
            [4.6647963344E+00, 3.9571156086E+01, 2.8698696102E+01, 5.5675370270E+00, 3.1333340687E-02, 1.4984928198E-02, 6.5842344623E-03],
            5.6427082397E+03),
    ];

    /// <summary>NIST's log relative error: the number of correct significant digits of <paramref name="value"/>, 0 when
    /// it is off by more than 100%, capped at 11 (the digits NIST certifies).</summary>
    public static double CorrectDigits(double value, double certified)
    {
        if (value == certified)
            return 11;
        double lre = -Math.Log10(Math.Abs(value - certified) / Math.Abs(certified));
        return double.IsNaN(lre) ? 0 : Math.Clamp(lre, 0, 11);
    }

    /// <summary>The fewest correct digits over a vector.</summary>
    public static double FewestCorrectDigits(double[] values, double[] certified) =>
        values.Zip(certified, CorrectDigits).Min();
}
