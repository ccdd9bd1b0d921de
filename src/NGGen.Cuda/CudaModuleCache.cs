namespace NGGen.Cuda;

/// <summary>
/// Loaded modules of one context, by PTX key: emitted source is compiled (through a <see cref="PtxCache"/>) for the
/// context's device and loaded once; disposing the cache unloads them.
/// </summary>
public sealed class CudaModuleCache : IDisposable
{
    private readonly Dictionary<string, CudaModule> _modules = [];
    private readonly PtxCache _ptx;
    private readonly int _architecture;

    /// <summary>Creates the cache for <paramref name="context"/>'s device.</summary>
    public CudaModuleCache(CudaContext context, PtxCache? ptx = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ptx = ptx ?? PtxCache.Shared;
        _architecture = Nvrtc.ArchitectureFor(context.ComputeCapability.Major, context.ComputeCapability.Minor);
    }

    /// <summary>Returns the module for <paramref name="source"/>, compiling and loading it on first use.</summary>
    /// <param name="source">CUDA C++ source.</param>
    /// <param name="programName">The name NVRTC reports errors against.</param>
    /// <param name="options">NVRTC options, for example <c>-DNGGEN_T=float</c>; part of the cache key.</param>
    public CudaModule Load(string source, string programName, params ReadOnlySpan<string> options)
    {
        var (ptx, key, _) = _ptx.GetOrCompile(source, programName, _architecture, options);
        lock (_modules)
        {
            if (!_modules.TryGetValue(key, out var module))
            {
                module = new CudaModule(ptx);
                _modules[key] = module;
            }

            return module;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_modules)
        {
            foreach (var module in _modules.Values)
                module.Dispose();
            _modules.Clear();
        }
    }
}
