using System.Runtime.InteropServices;
using System.Text;

namespace NGGen.Samples.Tests.Cuda;

/// <summary>
/// The CUDA emulator's launch semantics, checked on kernels written here through its C exports (NVRTC compile,
/// module load, cuLaunchKernel): every thread of the grid runs with its own blockIdx and threadIdx, and a block's
/// threads meet at __syncthreads with shared memory between them. The generated kernels depend on both (grid-stride
/// loops, the batch-sum reduction); an emulator that ran one thread would pass kernels that fail on a GPU.
/// </summary>
public sealed unsafe class CudaEmulatorLaunchTests
{
    private const int LaunchFailed = 719;

    private const string Source = """
        extern "C" __global__ void ids(int* out, int n)
        {
            int i = (blockIdx.y * gridDim.x + blockIdx.x) * (blockDim.x * blockDim.y) + threadIdx.y * blockDim.x + threadIdx.x;
            if (i < n) out[i] = 1000 * (blockIdx.y * gridDim.x + blockIdx.x) + 10 * threadIdx.y + threadIdx.x;
        }

        extern "C" __global__ void block_sums(const double* x, double* out)
        {
            __shared__ double partial[256];
            partial[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
            __syncthreads();
            for (unsigned s = blockDim.x / 2; s > 0; s >>= 1)
            {
                if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
                __syncthreads();
            }
            if (threadIdx.x == 0) out[blockIdx.x] = partial[0];
        }

        extern "C" __global__ void divergent_barrier(double* out)
        {
            if (threadIdx.x < 8) __syncthreads();
            out[threadIdx.x] = 1;
        }
        """;

    [CudaEmulatorFact]
    public void Every_thread_of_a_two_dimensional_grid_runs_with_its_own_indices()
    {
        using var emulator = new Emulator();
        void* ids = emulator.Kernel("ids");
        // Grid 3×2 of blocks 4×2: 48 threads, of which the first 45 write.
        const int n = 45;
        ulong output = emulator.Allocate(48 * sizeof(int));
        int count = n;
        void*[] arguments = [&output, &count];
        Assert.Equal(0, emulator.Launch(ids, (3, 2), (4, 2), arguments));

        int[] got = emulator.Read<int>(output, 48);
        for (int i = 0; i < 48; i++)
        {
            int block = i / 8, thread = i % 8;
            // Unwritten device memory holds the emulator's 0xFF fill.
            int expected = i < n ? 1000 * block + 10 * (thread / 4) + (thread % 4) : -1;
            Assert.True(expected == got[i], $"element {i}: expected {expected}, got {got[i]}");
        }
    }

    [CudaEmulatorFact]
    public void A_shared_memory_tree_reduction_sums_each_block_across_its_barriers()
    {
        using var emulator = new Emulator();
        void* sums = emulator.Kernel("block_sums");
        const int blocks = 4, threads = 256;
        double[] x = Enumerable.Range(0, blocks * threads).Select(i => (double)i).ToArray();
        ulong input = emulator.Write(x), output = emulator.Allocate(blocks * sizeof(double));
        void*[] arguments = [&input, &output];
        Assert.Equal(0, emulator.Launch(sums, (blocks, 1), (threads, 1), arguments));

        double[] got = emulator.Read<double>(output, blocks);
        for (int b = 0; b < blocks; b++)
        {
            // Σ_{i=256b}^{256b+255} i, exact in double.
            double expected = (threads * (double)threads * b) + (threads * (threads - 1) / 2.0);
            Assert.Equal(expected, got[b]);
        }
    }

    [CudaEmulatorFact]
    public void A_barrier_that_some_threads_of_a_block_skip_fails_the_launch()
    {
        using var emulator = new Emulator();
        void* divergent = emulator.Kernel("divergent_barrier");
        ulong output = emulator.Allocate(32 * sizeof(double));
        void*[] arguments = [&output];
        Assert.Equal(LaunchFailed, emulator.Launch(divergent, (1, 1), (32, 1), arguments));
    }

    // The emulator's exports, called directly: its environment is this process's (modules go to its default
    // directory), and nothing in NGGen.Cuda is involved.
    private sealed class Emulator : IDisposable
    {
        private readonly nint _library = NativeLibrary.Load(CudaEmulator.Library);
        private readonly void* _module;
        private readonly List<ulong> _allocations = [];

        public Emulator()
        {
            var create = (delegate* unmanaged<void**, byte*, byte*, int, byte**, byte**, int>)Export("nvrtcCreateProgram");
            var compile = (delegate* unmanaged<void*, int, byte**, int>)Export("nvrtcCompileProgram");
            var logSize = (delegate* unmanaged<void*, nuint*, int>)Export("nvrtcGetProgramLogSize");
            var log = (delegate* unmanaged<void*, byte*, int>)Export("nvrtcGetProgramLog");
            var ptxSize = (delegate* unmanaged<void*, nuint*, int>)Export("nvrtcGetPTXSize");
            var ptx = (delegate* unmanaged<void*, byte*, int>)Export("nvrtcGetPTX");
            var destroy = (delegate* unmanaged<void**, int>)Export("nvrtcDestroyProgram");
            var load = (delegate* unmanaged<void**, void*, int>)Export("cuModuleLoadData");

            void* program;
            byte[] source = Encoding.UTF8.GetBytes(Source + "\0");
            byte[] name = "launch_tests.cu\0"u8.ToArray();
            fixed (byte* s = source, n = name)
                Check(create(&program, s, n, 0, null, null), "nvrtcCreateProgram");
            try
            {
                if (compile(program, 0, null) != 0)
                {
                    nuint size;
                    logSize(program, &size);
                    byte[] text = new byte[(int)size];
                    fixed (byte* t = text)
                        log(program, t);
                    Assert.Fail("the emulator's NVRTC rejected the test kernels:\n" + Encoding.UTF8.GetString(text));
                }

                nuint length;
                Check(ptxSize(program, &length), "nvrtcGetPTXSize");
                byte[] image = new byte[(int)length];
                void* module;
                fixed (byte* i = image)
                {
                    Check(ptx(program, i), "nvrtcGetPTX");
                    Check(load(&module, i), "cuModuleLoadData");
                }
                _module = module;
            }
            finally
            {
                destroy(&program);
            }
        }

        public void* Kernel(string name)
        {
            var get = (delegate* unmanaged<void**, void*, byte*, int>)Export("cuModuleGetFunction");
            byte[] text = Encoding.UTF8.GetBytes(name + "\0");
            void* function;
            fixed (byte* t = text)
                Check(get(&function, _module, t), "cuModuleGetFunction " + name);
            return function;
        }

        public ulong Allocate(int bytes)
        {
            var allocate = (delegate* unmanaged<ulong*, nuint, int>)Export("cuMemAlloc_v2");
            ulong pointer;
            Check(allocate(&pointer, (nuint)bytes), "cuMemAlloc_v2");
            _allocations.Add(pointer);
            return pointer;
        }

        public ulong Write(double[] values)
        {
            var copy = (delegate* unmanaged<ulong, void*, nuint, int>)Export("cuMemcpyHtoD_v2");
            ulong pointer = Allocate(values.Length * sizeof(double));
            fixed (double* v = values)
                Check(copy(pointer, v, (nuint)(values.Length * sizeof(double))), "cuMemcpyHtoD_v2");
            return pointer;
        }

        public T[] Read<T>(ulong pointer, int count)
            where T : unmanaged
        {
            var copy = (delegate* unmanaged<void*, ulong, nuint, int>)Export("cuMemcpyDtoH_v2");
            var values = new T[count];
            fixed (T* v = values)
                Check(copy(v, pointer, (nuint)(count * sizeof(T))), "cuMemcpyDtoH_v2");
            return values;
        }

        public int Launch(void* function, (uint X, uint Y) grid, (uint X, uint Y) block, void*[] arguments)
        {
            var launch = (delegate* unmanaged<void*, uint, uint, uint, uint, uint, uint, uint, void*, void**, void**, int>)Export("cuLaunchKernel");
            fixed (void** p = arguments)
                return launch(function, grid.X, grid.Y, 1, block.X, block.Y, 1, 0, null, p, null);
        }

        public void Dispose()
        {
            var free = (delegate* unmanaged<ulong, int>)Export("cuMemFree_v2");
            foreach (ulong pointer in _allocations)
                free(pointer);
            if (_module is not null)
                ((delegate* unmanaged<void*, int>)Export("cuModuleUnload"))(_module);
            NativeLibrary.Free(_library);
        }

        private void* Export(string name) => (void*)NativeLibrary.GetExport(_library, name);

        private static void Check(int result, string call) => Assert.True(result == 0, $"{call} returned {result}");
    }
}
