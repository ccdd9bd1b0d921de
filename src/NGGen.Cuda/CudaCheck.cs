using System.Runtime.InteropServices;
using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>Turns the status of a driver, NVRTC or cuBLAS call into a <see cref="CudaException"/> naming the call.</summary>
public static unsafe class CudaCheck
{
    /// <summary>Throws unless <paramref name="status"/> is <c>CUDA_SUCCESS</c>.</summary>
    /// <param name="status">What the call returned.</param>
    /// <param name="call">The C name of the call, for the message.</param>
    public static void ThrowIfFailed(CUresult status, string call)
    {
        if (status != CUresult.CUDA_SUCCESS)
            throw new CudaException(call, DriverStatusName(status), (int)status, DriverStatusText(status));
    }

    /// <summary>Throws unless <paramref name="status"/> is <c>NVRTC_SUCCESS</c>.</summary>
    public static void ThrowIfFailed(nvrtcResult status, string call)
    {
        if (status != nvrtcResult.NVRTC_SUCCESS)
            throw new CudaException(call, status.ToString(), (int)status, "");
    }

    /// <summary>Throws unless <paramref name="status"/> is <c>CUBLAS_STATUS_SUCCESS</c>.</summary>
    public static void ThrowIfFailed(cublasStatus_t status, string call)
    {
        if (status != cublasStatus_t.CUBLAS_STATUS_SUCCESS)
            throw new CudaException(call, status.ToString(), (int)status, "");
    }

    // The driver's own name when it is loaded (it knows codes this enum does not), else the enum's.
    private static string DriverStatusName(CUresult status)
    {
        byte* name = null;
        if (CudaLibraries.TryLoad(CudaLibraries.Driver, out _)
            && CudaDriverApi.cuGetErrorName(status, &name) == CUresult.CUDA_SUCCESS && name != null)
        {
            return Marshal.PtrToStringUTF8((nint)name) ?? status.ToString();
        }

        return Enum.IsDefined(status) ? status.ToString() : "CUDA_ERROR";
    }

    private static string DriverStatusText(CUresult status)
    {
        byte* text = null;
        if (CudaLibraries.TryLoad(CudaLibraries.Driver, out _)
            && CudaDriverApi.cuGetErrorString(status, &text) == CUresult.CUDA_SUCCESS && text != null)
        {
            return Marshal.PtrToStringUTF8((nint)text) ?? "";
        }

        return "";
    }
}
