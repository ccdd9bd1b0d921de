using NGGen.Checking;
using NGGen.IO;
using NGGen.Samples.CurveFitting;

namespace NGGen.Samples.Tests;

/// <summary>The curve-fitting sample's core: CSV reading with errors that name the place, generated curve models
/// against finite differences, LM fits against NIST's certified values, and the robust loss against the data's
/// known generator.</summary>
public class CurveFittingTests
{
    [Theory]
    [InlineData("Misra1a", 9)]
    [InlineData("Rat43", 7)]
    [InlineData("Eckerle4", 9)]
    [InlineData("Thurber", 6)]
    public void FitsFromNistsSecondStartReachTheCertifiedValues(string name, double digits)
    {
        var dataset = NistDataset.All.Single(d => d.Name == name);
        var fit = Experiment.FitNist([dataset], TextWriter.Null).Single(f => f.Start == 2);
        Assert.True(fit.ParameterDigits >= digits, $"{name}: {fit.ParameterDigits:F1} correct digits in b");
        Assert.True(fit.StandardErrorDigits >= digits - 1, $"{name}: {fit.StandardErrorDigits:F1} correct digits in s(b)");
        Assert.True(fit.ResidualDigits >= digits, $"{name}: {fit.ResidualDigits:F1} correct digits in the RSS");
    }

    [Fact]
    public void CertifiedParametersAreAStationaryPointOfTheData()
    {
        // Independent of the solver: at NIST's certified b the gradient Jᵀr of every dataset vanishes (relative to
        // |J||r|), which checks the CSV files and the models against NIST's numbers.
        foreach (var dataset in NistDataset.All)
        {
            var data = CsvTable.Read(dataset.DataPath);
            double[] x = data.Column("x"), y = data.Column("y"), b = dataset.CertifiedParameters;
            var residual = dataset.Model.Predict(b, x).Zip(y, (f, yi) => f - yi).ToArray();
            Assert.Equal(dataset.CertifiedResidualSumOfSquares, residual.Sum(r => r * r), dataset.CertifiedResidualSumOfSquares * 1e-8);
            for (int k = 0; k < b.Length; k++)
            {
                // Central difference of f along b_k.
                double h = 1e-6 * Math.Abs(b[k]);
                var up = (double[])b.Clone();
                var down = (double[])b.Clone();
                up[k] += h;
                down[k] -= h;
                var column = dataset.Model.Predict(up, x).Zip(dataset.Model.Predict(down, x), (u, d) => (u - d) / (2 * h)).ToArray();
                double gradient = column.Zip(residual, (j, r) => j * r).Sum();
                double scale = Math.Sqrt(column.Sum(j => j * j) * residual.Sum(r => r * r));
                Assert.True(Math.Abs(gradient) <= 1e-6 * scale, $"{dataset.Name}, b{k + 1}: Jᵀr = {gradient:E3} against |J||r| = {scale:E3}");
            }
        }
    }

    [Fact]
    public void GeneratedCurveModelsMatchFiniteDifferences()
    {
        var checks = GradientChecker.CheckModel<GaussianPeak.Compiled>(batch: 16, seed: 3, inputLow: -1, inputHigh: 1)
            .Concat(GradientChecker.CheckModel<Rational33.Compiled>(batch: 16, seed: 4, inputLow: -1, inputHigh: 1))
            .Concat(GradientChecker.CheckModel<Sigmoid4.Compiled>(batch: 16, seed: 5, inputLow: 0, inputHigh: 2))
            .Concat(GradientChecker.CheckModel<DecayToOffset.Compiled>(batch: 16, seed: 6, inputLow: 0, inputHigh: 5));
        foreach (var r in checks)
        {
            Assert.True(r.ForwardVsReference <= 1e-12, $"{r.Model}: forward vs eager {r.ForwardVsReference:E2}");
            Assert.True(r.JvpVsFiniteDifferences <= 1e-6, $"{r.Model}: JVP vs FD {r.JvpVsFiniteDifferences:E2}");
            Assert.True(r.DotProductTest <= 1e-12, $"{r.Model}: dot-product test {r.DotProductTest:E2}");
        }
    }

    [Fact]
    public void ACauchyLossRecoversTheGeneratorsParametersDespiteOutliers()
    {
        var robust = Experiment.FitRobust(Path.Combine(AppContext.BaseDirectory, "data", "DecayWithOutliers.csv"));
        var plain = robust.Fits.Single(f => f.Loss == "least squares").Fit;
        var cauchy = robust.Fits.Single(f => f.Loss.StartsWith("Cauchy", StringComparison.Ordinal)).Fit;
        // The generator's truth (5, 0.4, 1) and noise 0.05: a fit that ignores the 5 outliers lands within a few
        // percent; least squares is pulled up by them (c by ~0.19).
        Assert.True(RobustComparison.WorstRelativeError(cauchy, robust.Truth) < 0.04);
        Assert.True(RobustComparison.WorstRelativeError(plain, robust.Truth) > 0.1);
        Assert.True(RobustComparison.WorstStandardizedError(cauchy, robust.Truth) < 3);
        // The IRLS residual variance of the robust fit is near the generator's noise variance 0.05² = 0.0025.
        Assert.InRange(cauchy.ResidualVariance, 0.0025 / 3, 0.0025 * 3);
    }

    [Fact]
    public void MissingFilesAndColumnsAreNamed()
    {
        // The NIST files are read by NGGen.IO.CsvTable (its malformed-file tests are in NGGen.Tests/IO).
        Assert.Contains("no-such.csv: no such file", Assert.Throws<DataFileException>(() => CsvTable.Read("no-such.csv")).Message);
        var data = CsvTable.Read(NistDataset.All[0].DataPath);
        Assert.Contains("no column 'z' (the columns are 'x', 'y')", Assert.Throws<DataFileException>(() => data.Column("z")).Message);
        Assert.Contains("NIST StRD", data.Comments[0]);
    }
}
