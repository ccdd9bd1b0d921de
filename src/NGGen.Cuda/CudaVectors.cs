using NGGen.Solvers;

namespace NGGen.Cuda;

/// <summary>Device buffers of double as Krylov vectors (cuBLAS dot, axpy and scal; device-to-device copies), so
/// <see cref="DampedConjugateGradient{TVector}"/> runs on the GPU with the vectors never leaving it.</summary>
public sealed class CudaVectors(Cublas cublas) : IVectorSpace<DeviceBuffer<double>>
{
    /// <inheritdoc/>
    public double Dot(DeviceBuffer<double> x, DeviceBuffer<double> y) => cublas.DotDouble(x.Length, x.Pointer, y.Pointer);

    /// <inheritdoc/>
    public void Axpy(double alpha, DeviceBuffer<double> x, DeviceBuffer<double> y) => cublas.Axpy(x.Length, alpha, x.Pointer, y.Pointer);

    /// <inheritdoc/>
    public void Scale(double alpha, DeviceBuffer<double> x) => cublas.Scale(x.Length, alpha, x.Pointer);

    /// <inheritdoc/>
    public void Copy(DeviceBuffer<double> source, DeviceBuffer<double> destination) => destination.CopyFrom(source);

    /// <inheritdoc/>
    public void Clear(DeviceBuffer<double> x) => x.Clear();

    /// <summary>‖x‖∞ (one entry copied back).</summary>
    public double MaxMagnitude(DeviceBuffer<double> x)
    {
        int index = cublas.MaxMagnitudeIndex(x.Length, x.Pointer);
        return Math.Abs(x.Element(index));
    }
}
