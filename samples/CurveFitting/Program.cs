using NGGen.Samples;
using NGGen.Samples.CurveFitting;

// Curve fitting: NIST StRD nonlinear regression datasets read from CSV and fitted by Levenberg-Marquardt,
// with standard errors from σ²(JᵀJ)⁻¹, then a robust loss against outliers.
// Usage: dotnet run -c Release --project samples/CurveFitting [-- --json PATH] [--plots DIR]
var options = SampleOptions.Parse("CurveFitting", args, Console.Error);
if (options is null)
    return 2;

Console.WriteLine("1. NIST StRD nonlinear regression: Levenberg-Marquardt (QR, Ceres-style trust region) from NIST's two starting points");
Console.WriteLine();
var fits = Experiment.FitNist(NistDataset.All, Console.Out);
Console.WriteLine();
Console.WriteLine("Correct significant digits against NIST's certified values (NIST certifies 11; the fewest over the parameters):");
Console.WriteLine();
Report.WriteNistTable(fits, Console.Out);
Console.WriteLine();
var thurber = fits.First(f => f.Dataset.Name == "Thurber" && f.Start == 1);
Console.WriteLine("Thurber (7 parameters, start 1) in full:");
Console.WriteLine();
Report.WriteParameterTable(thurber, Console.Out);
Console.WriteLine();

Console.WriteLine("2. Robust loss: y = a·exp(−b x) + c, 41 points with noise 0.05 and 5 gross outliers (data/DecayWithOutliers.csv)");
Console.WriteLine();
var robust = Experiment.FitRobust(Path.Combine(AppContext.BaseDirectory, "data", "DecayWithOutliers.csv"));
Report.WriteRobustTable(robust, Console.Out);
Console.WriteLine();

var claims = Report.Claims(fits, robust);
claims.Write(Console.Out);
Console.WriteLine();

string nistPlot = options.PlotPath("nist-fits.svg"), robustPlot = options.PlotPath("robust-fit.svg");
Report.SaveNistPlot(nistPlot, fits);
Report.SaveRobustPlot(robustPlot, robust);
Console.WriteLine($"Plots: {nistPlot}, {robustPlot}");
if (options.JsonPath is not null)
{
    JsonReport.Write(options.JsonPath, Report.ToJson(fits, robust, claims));
    Console.WriteLine($"Figures: {options.JsonPath}");
}
return 0;
