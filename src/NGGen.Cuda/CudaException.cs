namespace NGGen.Cuda;

/// <summary>A CUDA driver, NVRTC or cuBLAS call failed; the message names the call and the status.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception for a failed call.</summary>
    /// <param name="call">The C name of the call that failed (for example <c>cuMemAlloc_v2</c>).</param>
    /// <param name="status">The status name, as the library spells it.</param>
    /// <param name="code">The numeric status.</param>
    /// <param name="detail">The library's description of the status, or a compiler log; may be empty.</param>
    public CudaException(string call, string status, int code, string detail)
        : base($"{call} failed: {status} ({code}){(detail.Length > 0 ? $": {detail}" : "")}")
    {
        Call = call;
        Status = status;
        Code = code;
    }

    /// <summary>Gets the C name of the call that failed.</summary>
    public string Call { get; }

    /// <summary>Gets the status name.</summary>
    public string Status { get; }

    /// <summary>Gets the numeric status.</summary>
    public int Code { get; }
}
