using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NGGen.Bench;
using NGGen.Cuda;

namespace NGGen.Samples.CudaCheck;

/// <summary>The issue-6 timing target: the width-1024 MLP's gradient and GGN product at batch 4096, float, on the GPU,
/// against PyTorch on the same GPU (bench/peers/torch_cuda_mlp.py) when python3 with CUDA torch is there.</summary>
public static class MlpTiming
{
    public const int Width = 1024;

    public static Dictionary<string, double> Run(CudaContext context, CudaModuleCache modules, Cublas cublas, int batch, int repetitions, TextWriter log)
    {
        int p = Mlp1024.ParameterCount;
        var random = new Random(5);
        float[] Fill(int length) => Enumerable.Range(0, length).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
        var theta = new float[p];
        Mlp1024.InitializeParameters<float>(theta, 1);
        using var model = new CudaModel<Mlp1024, float>(context, modules, 0, batch, cublas);
        using var dTheta = new DeviceBuffer<float>(theta);
        using var dInputs = new DeviceBuffer<float>(Fill(Width * batch));
        using var dTargets = new DeviceBuffer<float>(Fill(Width * batch));
        using var dVector = new DeviceBuffer<float>(Fill(p));
        using var dOutputs = new DeviceBuffer<float>(Width * batch);
        using var dGradient = new DeviceBuffer<float>(p);
        using var dProduct = new DeviceBuffer<float>(p);

        // Gradient of ½‖f − y‖²: linearize, residual r = f − y, Jᵀr.
        void Gradient()
        {
            model.Linearize(dTheta, dInputs, dOutputs);
            cublas.Axpy(Width * batch, -1f, dTargets.Pointer, dOutputs.Pointer);
            dGradient.Clear();
            model.LinearizedVjp(dTheta, dInputs, dOutputs, dGradient);
        }

        // G·v = Jᵀ(J v) from the stored linearization, as GN-CG applies it per CG step.
        void FusedProduct()
        {
            model.LinearizedJvp(dTheta, dInputs, dVector, dOutputs);
            dProduct.Clear();
            model.LinearizedVjp(dTheta, dInputs, dOutputs, dProduct);
        }

        // G·v from scratch: a JVP (with its forward) and a VJP (with its forward).
        void ScratchProduct()
        {
            model.Jvp(dTheta, dInputs, dVector, dOutputs);
            dProduct.Clear();
            model.Vjp(dTheta, dInputs, dOutputs, dProduct);
        }

        var results = new Dictionary<string, double>
        {
            ["nggen_grad_ms"] = 1e3 * ModelComparison.Median(Gradient, repetitions, context),
            ["nggen_ggn_fused_ms"] = 1e3 * ModelComparison.Median(FusedProduct, repetitions, context),
            ["nggen_ggn_ms"] = 1e3 * ModelComparison.Median(ScratchProduct, repetitions, context),
        };
        foreach (var (name, value) in TorchPeer(batch, repetitions, log))
            results[name] = value;
        return results;
    }

    // Runs the PyTorch peer if python3 can import torch with CUDA; its JSON line holds torch_grad_ms and torch_ggn_ms.
    private static Dictionary<string, double> TorchPeer(int batch, int repetitions, TextWriter log)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "torch_cuda_mlp.py");
        if (!File.Exists(script))
            script = Path.Combine("bench", "peers", "torch_cuda_mlp.py");
        if (!File.Exists(script))
        {
            log.WriteLine("PyTorch comparison skipped: torch_cuda_mlp.py not found next to the binary or under bench/peers.");
            return [];
        }

        try
        {
            var start = new ProcessStartInfo("python3", [script, "--width", Width.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture), "--repetitions", repetitions.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var python = Process.Start(start)!;
            string output = python.StandardOutput.ReadToEnd();
            string errors = python.StandardError.ReadToEnd();
            python.WaitForExit();
            if (python.ExitCode != 0)
            {
                log.WriteLine($"PyTorch comparison skipped: torch_cuda_mlp.py exited with {python.ExitCode}: {errors.Trim()}");
                return [];
            }

            string line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            using var document = JsonDocument.Parse(line);
            var values = new Dictionary<string, double>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number)
                    values[property.Name] = property.Value.GetDouble();
            }

            return values;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            log.WriteLine("PyTorch comparison skipped: python3 is not installed.");
            return [];
        }
    }
}
