// NGGen CUDA emulator: the subset of the CUDA driver API, NVRTC and cuBLAS that src/NGGen.Cuda binds, run on the
// CPU, so that the whole GPU path (NVRTC compile, PTX cache, module load, kernel launches, cuBLAS products, device
// buffers, the GPU solvers and samples/CudaCheck) runs in CI without a GPU. One shared library exports all three
// APIs; point NGGEN_CUDA_DRIVER, NGGEN_NVRTC and NGGEN_CUBLAS at it.
//
// How each part is emulated:
// - NVRTC compiles the CUDA C with g++ behind a few definitions (__global__, blockIdx, __shared__, __syncthreads, ...)
//   plus one generated launcher per kernel that unpacks cuLaunchKernel's parameter array. The "PTX" it returns is one
//   line naming the shared library it built.
// - A launch runs every thread of its grid on the calling host thread, with the launch's gridDim and blockDim, blocks
//   and threads in reverse order (kRuntime below). Kernels with __syncthreads run a block's threads as fibers that
//   switch at each barrier, so shared-memory reductions run as on a GPU, and a barrier some threads skip fails.
// - Device memory is host memory. New allocations are filled with 0xFF bytes (NaN in float and double), so a read
//   of memory nothing wrote shows up as NaN; copies and memsets outside an allocation fail with
//   CUDA_ERROR_INVALID_VALUE instead of corrupting the process.
// - cuBLAS runs column-major reference loops with its documented semantics (β = 0 never reads C; Idamax is 1-based).
// - Streams are synchronous. What this cannot show: races between threads, warp-level behaviour, and speed.
//
// Built by the tests: g++ -O2 -std=c++17 -shared -fPIC -o libnggen_cuda_emulator.so nggen_cuda_emulator.cpp -ldl
// Environment: NGGEN_EMULATOR_DIR (where compiled modules go; default $TMPDIR/nggen-cuda-emulator), NGGEN_EMULATOR_CXX
// (the compiler; default g++).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

// ---- Device memory: host allocations, tracked so that copies can be checked against them.

std::mutex g_memory_lock;
std::map<uint64_t, size_t> g_allocations;  // start → bytes

// Whether [address, address + bytes) lies inside one allocation.
bool InsideAllocation(uint64_t address, size_t bytes) {
  std::lock_guard<std::mutex> guard(g_memory_lock);
  auto it = g_allocations.upper_bound(address);
  if (it == g_allocations.begin()) return false;
  --it;
  return address >= it->first && address + bytes <= it->first + it->second;
}

// ---- Modules compiled by the emulated NVRTC.

std::string Hex64(uint64_t value) {
  char text[17];
  snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

uint64_t Fnv1a(const std::string& text, uint64_t hash = 1469598103934665603ULL) {
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

std::string ModuleDirectory() {
  if (const char* explicit_dir = getenv("NGGEN_EMULATOR_DIR"); explicit_dir && *explicit_dir) return explicit_dir;
  const char* tmp = getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/nggen-cuda-emulator";
}

const char* const kShim = R"(// NGGen CUDA emulator shim: CUDA's built-ins, per host thread, for the launch runtime appended after the source.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
using namespace std;
struct nggen_dim3 { unsigned x, y, z; };
#define NGGEN_HIDDEN __attribute__((visibility("hidden")))
// External linkage (hidden): the compiler must assume the runtime's stack switches change them, so a kernel
// re-reads threadIdx after __syncthreads.
NGGEN_HIDDEN thread_local nggen_dim3 blockIdx, threadIdx, blockDim, gridDim;
NGGEN_HIDDEN void nggen_emulator_syncthreads();
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
// Blocks run one after another on one host thread, so a block's shared memory is a per-thread static.
#define __shared__ static thread_local
#define __syncthreads() nggen_emulator_syncthreads()
#line 1 "cuda-source"
)";

// Runs a launch's whole grid on the calling host thread. Blocks run one after another, last first. A kernel without
// __syncthreads runs its threads one after another, last first, so a kernel that depends on the order of its
// threads or blocks gives different results here than on a GPU. A kernel with __syncthreads runs each thread of a
// block as a fiber on its own stack: every thread runs up to its next barrier, then the next thread, and the round
// repeats until all have returned; a barrier that some threads of the block never reach fails the launch.
const char* const kRuntime = R"(
#line 1 "nggen-emulator-runtime"
typedef void (*nggen_body)(void**);

struct nggen_fiber {
  void* stack_pointer;
  bool done;
};

struct nggen_block_run {
  nggen_body body;
  void** parameters;
  nggen_fiber* fibers;
  unsigned current;
  void* scheduler_stack_pointer;
};

static thread_local nggen_block_run* nggen_current_run;
static const size_t nggen_fiber_stack_bytes = 64 * 1024;

#if defined(__x86_64__)
// Saves the callee-saved registers on the current stack, stores the stack pointer in *save, and resumes the stack
// in `load` (which holds the same layout, or a new fiber's start frame).
extern "C" NGGEN_HIDDEN void nggen_emulator_switch(void** save, void* load);
asm(".text\n"
    ".globl nggen_emulator_switch\n"
    ".hidden nggen_emulator_switch\n"
    ".type nggen_emulator_switch, @function\n"
    "nggen_emulator_switch:\n"
    "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  movq %rsp, (%rdi)\n"
    "  movq %rsi, %rsp\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
    "  ret\n"
    ".size nggen_emulator_switch, .-nggen_emulator_switch\n");
#else
#error "The NGGen CUDA emulator switches fiber stacks with x86-64 assembly."
#endif

static void nggen_fiber_entry() {
  nggen_block_run* run = nggen_current_run;
  run->body(run->parameters);
  run->fibers[run->current].done = true;
  nggen_emulator_switch(&run->fibers[run->current].stack_pointer, run->scheduler_stack_pointer);
  __builtin_trap();  // a finished fiber is never resumed
}

// A new fiber's stack: six zeroed callee-saved registers, then nggen_fiber_entry as the return address, then a
// dummy return address for it, placed so that the entry sees the ABI's stack alignment (rsp ≡ 8 mod 16).
static void* nggen_fiber_start(char* stack) {
  void** top = reinterpret_cast<void**>(stack + nggen_fiber_stack_bytes);
  *--top = nullptr;
  *--top = reinterpret_cast<void*>(&nggen_fiber_entry);
  for (int i = 0; i < 6; i++) *--top = nullptr;
  return top;
}

void nggen_emulator_syncthreads() {
  nggen_block_run* run = nggen_current_run;
  if (!run) {
    fprintf(stderr, "NGGen CUDA emulator: __syncthreads() in a kernel whose body does not contain it\n");
    __builtin_trap();
  }
  nggen_emulator_switch(&run->fibers[run->current].stack_pointer, run->scheduler_stack_pointer);
}

static nggen_dim3 nggen_index(unsigned long long linear, unsigned x, unsigned y) {
  return nggen_dim3{ (unsigned)(linear % x), (unsigned)(linear / x % y), (unsigned)(linear / x / y) };
}

// Fiber stacks, mapped once per host thread and grown to the largest block seen; pages are touched only when used.
static char* nggen_fiber_stacks(unsigned threads) {
  static thread_local char* stacks;
  static thread_local unsigned capacity;
  if (threads > capacity) {
    if (stacks) munmap(stacks, capacity * nggen_fiber_stack_bytes);
    void* mapped = mmap(nullptr, threads * nggen_fiber_stack_bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    stacks = mapped == MAP_FAILED ? nullptr : static_cast<char*>(mapped);
    capacity = stacks ? threads : 0;
  }
  return stacks;
}

// Runs one block whose kernel uses barriers; returns false when a barrier was not reached by every thread.
static bool nggen_run_block_with_barriers(const char* name, nggen_block_run& run, unsigned threads, char* stacks) {
  for (unsigned t = 0; t < threads; t++) {
    run.fibers[t].done = false;
    run.fibers[t].stack_pointer = nggen_fiber_start(stacks + t * nggen_fiber_stack_bytes);
  }
  for (;;) {
    unsigned finished = 0;
    for (unsigned t = threads; t-- > 0;) {
      if (run.fibers[t].done) { finished++; continue; }
      threadIdx = nggen_index(t, blockDim.x, blockDim.y);
      run.current = t;
      nggen_emulator_switch(&run.scheduler_stack_pointer, run.fibers[t].stack_pointer);
      if (run.fibers[t].done) finished++;
    }
    if (finished == threads) return true;
    if (finished > 0) {
      fprintf(stderr, "NGGen CUDA emulator: in %s, block (%u, %u, %u): %u of %u threads returned while the others wait "
              "at __syncthreads()\n", name, blockIdx.x, blockIdx.y, blockIdx.z, finished, threads);
      return false;
    }
  }
}

// dims: grid x, y, z, then block x, y, z. Returns 0, or 1 when the launch failed.
static int nggen_emulator_run(const char* name, nggen_body body, void** parameters, const unsigned* dims, bool barriers) {
  gridDim = nggen_dim3{ dims[0], dims[1], dims[2] };
  blockDim = nggen_dim3{ dims[3], dims[4], dims[5] };
  unsigned long long blocks = (unsigned long long)dims[0] * dims[1] * dims[2];
  unsigned threads = dims[3] * dims[4] * dims[5];
  nggen_fiber fibers[1024];
  nggen_block_run run = { body, parameters, fibers, 0, nullptr };
  char* stacks = barriers ? nggen_fiber_stacks(threads) : nullptr;
  if (barriers && !stacks) {
    fprintf(stderr, "NGGen CUDA emulator: no memory for %u fiber stacks\n", threads);
    return 1;
  }
  int status = 0;
  for (unsigned long long b = blocks; b-- > 0 && status == 0;) {
    blockIdx = nggen_index(b, dims[0], dims[1]);
    if (barriers) {
      nggen_current_run = &run;
      if (!nggen_run_block_with_barriers(name, run, threads, stacks)) status = 1;
      nggen_current_run = nullptr;
      continue;
    }
    for (unsigned t = threads; t-- > 0;) {
      threadIdx = nggen_index(t, dims[3], dims[4]);
      body(parameters);
    }
  }
  return status;
}
)";

// Whether the kernel body that starts after `from` (the first brace on) contains __syncthreads.
bool BodyUsesBarriers(const std::string& source, size_t from) {
  size_t open = source.find('{', from);
  if (open == std::string::npos) return false;
  int depth = 0;
  size_t close = open;
  for (; close < source.size(); close++) {
    if (source[close] == '{') depth++;
    if (source[close] == '}' && --depth == 0) break;
  }
  return source.substr(open, close - open).find("__syncthreads") != std::string::npos;
}

// One launcher per `__global__ void name(parameters)`: cuLaunchKernel passes an array of pointers to the arguments,
// which a body function unpacks; the launcher runs the body over the grid, with fibers when the kernel's body
// contains __syncthreads.
std::string Launchers(const std::string& source) {
  std::ostringstream out;
  out << "\n// Launchers generated by the NGGen CUDA emulator.\n";
  static const std::regex kernel(R"(__global__\s+void\s+(\w+)\s*\(([^)]*)\))");
  static const std::regex parameter(R"(^\s*(.*?)\s*\b(\w+)\s*$)");
  for (std::sregex_iterator it(source.begin(), source.end(), kernel), end; it != end; ++it) {
    std::string name = (*it)[1], list = (*it)[2];
    std::vector<std::string> types;
    std::stringstream items(list);
    std::string item;
    while (std::getline(items, item, ',')) {
      std::smatch match;
      if (!std::regex_match(item, match, parameter)) continue;
      std::string type = std::regex_replace(match[1].str(), std::regex(R"(__restrict__)"), "");
      types.push_back(type);
    }
    out << "static void nggen_emulator_body_" << name << "(void** p) { " << name << "(";
    for (size_t i = 0; i < types.size(); i++) out << (i ? ", " : "") << "*(" << types[i] << "*)p[" << i << "]";
    out << "); }\n";
    out << "extern \"C\" int nggen_emulator_launch_" << name << "(void** p, const unsigned* dims) { return nggen_emulator_run(\""
        << name << "\", &nggen_emulator_body_" << name << ", p, dims, " << (BodyUsesBarriers(source, it->position() + it->length()) ? "true" : "false")
        << "); }\n";
  }
  return out.str();
}

struct Program {
  std::string source, name, ptx, log;
};

// Compiles source + launchers to a shared library once per content; returns its path, or "" with the log.
std::string Compile(const std::string& source, const std::vector<std::string>& defines, std::string& log) {
  std::string compiler = getenv("NGGEN_EMULATOR_CXX") && *getenv("NGGEN_EMULATOR_CXX") ? getenv("NGGEN_EMULATOR_CXX") : "g++";
  std::string flags;
  for (const auto& define : defines) flags += " '" + define + "'";
  std::string text = std::string(kShim) + source + kRuntime + Launchers(source);
  std::string directory = ModuleDirectory();
  mkdir(directory.c_str(), 0755);
  std::string library = directory + "/" + Hex64(Fnv1a(flags, Fnv1a(text))) + ".so";
  struct stat existing;
  if (stat(library.c_str(), &existing) == 0) return library;

  std::string unique = library + "." + std::to_string(getpid());
  std::ofstream(unique + ".cpp") << text;
  std::string command = compiler + " -O1 -std=c++14 -w -shared -fPIC" + flags + " -o '" + unique + ".so' '" + unique +
                        ".cpp' > '" + unique + ".log' 2>&1";
  int status = system(command.c_str());
  std::ifstream log_file(unique + ".log");
  std::stringstream log_text;
  log_text << log_file.rdbuf();
  log = log_text.str();
  remove((unique + ".cpp").c_str());
  remove((unique + ".log").c_str());
  if (status != 0) {
    remove((unique + ".so").c_str());
    if (log.empty()) log = "the emulator could not run " + compiler;
    return "";
  }
  rename((unique + ".so").c_str(), library.c_str());
  return library;
}

const char kPtxMarker[] = "// NGGen CUDA emulator module: ";

template <typename T>
T Element(const T* matrix, int ld, bool transposed, int row, int col) {
  // Column-major: op(X)(row, col) = X[row + col·ld], or X[col + row·ld] when transposed.
  return transposed ? matrix[col + static_cast<int64_t>(row) * ld] : matrix[row + static_cast<int64_t>(col) * ld];
}

template <typename T>
int Gemm(int transa, int transb, int m, int n, int k, const T* alpha, const T* a, int lda, const T* b, int ldb,
         const T* beta, T* c, int ldc) {
  if (m < 0 || n < 0 || k < 0 || transa < 0 || transa > 1 || transb < 0 || transb > 1) return 7;  // INVALID_VALUE
  if (ldc < (m > 1 ? m : 1) || lda < ((transa ? k : m) > 1 ? (transa ? k : m) : 1) ||
      ldb < ((transb ? n : k) > 1 ? (transb ? n : k) : 1))
    return 7;
  for (int j = 0; j < n; j++)
    for (int i = 0; i < m; i++) {
      T sum = 0;
      for (int p = 0; p < k; p++) sum += Element(a, lda, transa, i, p) * Element(b, ldb, transb, p, j);
      T& out = c[i + static_cast<int64_t>(j) * ldc];
      // cuBLAS: when β is zero, C need not hold numbers on input.
      out = *beta == 0 ? *alpha * sum : *alpha * sum + *beta * out;
    }
  return 0;
}

template <typename T>
int Axpy(int n, const T* alpha, const T* x, int incx, T* y, int incy) {
  for (int i = 0; i < n; i++) y[static_cast<int64_t>(i) * incy] += *alpha * x[static_cast<int64_t>(i) * incx];
  return 0;
}

template <typename T>
int Dot(int n, const T* x, int incx, const T* y, int incy, T* result) {
  T sum = 0;
  for (int i = 0; i < n; i++) sum += x[static_cast<int64_t>(i) * incx] * y[static_cast<int64_t>(i) * incy];
  *result = sum;
  return 0;
}

}  // namespace

extern "C" {

// ---- CUDA driver API.

typedef int CUresult;

CUresult cuInit(unsigned) { return 0; }

CUresult cuDriverGetVersion(int* version) {
  if (!version) return 1;
  *version = 12040;
  return 0;
}

CUresult cuGetErrorName(CUresult error, const char** name) {
  if (!name) return 1;
  switch (error) {
    case 0: *name = "CUDA_SUCCESS"; break;
    case 1: *name = "CUDA_ERROR_INVALID_VALUE"; break;
    case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
    case 200: *name = "CUDA_ERROR_INVALID_IMAGE"; break;
    case 218: *name = "CUDA_ERROR_INVALID_PTX"; break;
    case 400: *name = "CUDA_ERROR_INVALID_HANDLE"; break;
    case 500: *name = "CUDA_ERROR_NOT_FOUND"; break;
    case 719: *name = "CUDA_ERROR_LAUNCH_FAILED"; break;
    default: *name = "CUDA_ERROR_UNKNOWN"; break;
  }
  return 0;
}

CUresult cuGetErrorString(CUresult error, const char** text) {
  if (!text) return 1;
  switch (error) {
    case 0: *text = "no error"; break;
    case 1: *text = "invalid argument (NGGen CUDA emulator)"; break;
    case 2: *text = "out of memory (NGGen CUDA emulator)"; break;
    case 218: *text = "a PTX image the NGGen CUDA emulator did not produce"; break;
    case 500: *text = "named symbol not found (NGGen CUDA emulator)"; break;
    case 719: *text = "the kernel failed (NGGen CUDA emulator; the reason is on stderr)"; break;
    default: *text = "unknown error (NGGen CUDA emulator)"; break;
  }
  return 0;
}

CUresult cuDeviceGetCount(int* count) {
  if (!count) return 1;
  *count = 1;
  return 0;
}

CUresult cuDeviceGet(int* device, int ordinal) {
  if (!device || ordinal != 0) return 101;  // INVALID_DEVICE
  *device = 0;
  return 0;
}

CUresult cuDeviceGetName(char* name, int length, int device) {
  if (!name || length <= 0 || device != 0) return 1;
  snprintf(name, static_cast<size_t>(length), "NGGen CUDA emulator (CPU)");
  return 0;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, int device) {
  if (!value || device != 0) return 1;
  switch (attribute) {
    case 1: *value = 1024; break;  // max threads per block
    case 16: *value = 1; break;    // multiprocessors
    case 75: *value = 8; break;    // compute capability major
    case 76: *value = 0; break;    // minor
    default: *value = 0; break;
  }
  return 0;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, int device) {
  if (!bytes || device != 0) return 1;
  *bytes = static_cast<size_t>(4) << 30;
  return 0;
}

CUresult cuDevicePrimaryCtxRetain(void** context, int device) {
  if (!context || device != 0) return 1;
  static int primary;
  *context = &primary;
  return 0;
}

CUresult cuDevicePrimaryCtxRelease_v2(int device) { return device == 0 ? 0 : 101; }
CUresult cuCtxSetCurrent(void*) { return 0; }
CUresult cuCtxSynchronize() { return 0; }

CUresult cuStreamCreate(void** stream, unsigned) {
  if (!stream) return 1;
  *stream = malloc(1);
  return 0;
}

CUresult cuStreamDestroy_v2(void* stream) {
  free(stream);
  return 0;
}

CUresult cuStreamSynchronize(void*) { return 0; }

CUresult cuMemAlloc_v2(uint64_t* pointer, size_t bytes) {
  if (!pointer || bytes == 0) return 1;
  void* memory = aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!memory) return 2;
  memset(memory, 0xFF, bytes);
  std::lock_guard<std::mutex> guard(g_memory_lock);
  g_allocations[reinterpret_cast<uint64_t>(memory)] = bytes;
  *pointer = reinterpret_cast<uint64_t>(memory);
  return 0;
}

CUresult cuMemFree_v2(uint64_t pointer) {
  std::lock_guard<std::mutex> guard(g_memory_lock);
  auto it = g_allocations.find(pointer);
  if (it == g_allocations.end()) return 1;
  g_allocations.erase(it);
  free(reinterpret_cast<void*>(pointer));
  return 0;
}

CUresult cuMemcpyHtoD_v2(uint64_t destination, const void* source, size_t bytes) {
  if (bytes == 0) return 0;
  if (!source || !InsideAllocation(destination, bytes)) return 1;
  memcpy(reinterpret_cast<void*>(destination), source, bytes);
  return 0;
}

CUresult cuMemcpyDtoH_v2(void* destination, uint64_t source, size_t bytes) {
  if (bytes == 0) return 0;
  if (!destination || !InsideAllocation(source, bytes)) return 1;
  memcpy(destination, reinterpret_cast<const void*>(source), bytes);
  return 0;
}

CUresult cuMemcpyDtoD_v2(uint64_t destination, uint64_t source, size_t bytes) {
  if (bytes == 0) return 0;
  if (!InsideAllocation(destination, bytes) || !InsideAllocation(source, bytes)) return 1;
  memmove(reinterpret_cast<void*>(destination), reinterpret_cast<const void*>(source), bytes);
  return 0;
}

CUresult cuMemcpyHtoDAsync_v2(uint64_t destination, const void* source, size_t bytes, void*) {
  return cuMemcpyHtoD_v2(destination, source, bytes);
}

CUresult cuMemcpyDtoHAsync_v2(void* destination, uint64_t source, size_t bytes, void*) {
  return cuMemcpyDtoH_v2(destination, source, bytes);
}

CUresult cuMemsetD8_v2(uint64_t destination, unsigned char value, size_t count) {
  if (count == 0) return 0;
  if (!InsideAllocation(destination, count)) return 1;
  memset(reinterpret_cast<void*>(destination), value, count);
  return 0;
}

CUresult cuModuleLoadData(void** module, const void* image) {
  if (!module || !image) return 1;
  const char* text = static_cast<const char*>(image);
  size_t marker = strlen(kPtxMarker);
  if (strncmp(text, kPtxMarker, marker) != 0) return 218;  // INVALID_PTX: real PTX cannot run here
  std::string path(text + marker);
  path = path.substr(0, path.find('\n'));
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return 200;  // INVALID_IMAGE
  *module = handle;
  return 0;
}

CUresult cuModuleUnload(void* module) { return module && dlclose(module) == 0 ? 0 : 400; }

CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
  if (!function || !module || !name) return 1;
  void* launcher = dlsym(module, (std::string("nggen_emulator_launch_") + name).c_str());
  if (!launcher) return 500;  // NOT_FOUND
  *function = launcher;
  return 0;
}

CUresult cuLaunchKernel(void* function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX,
                        unsigned blockY, unsigned blockZ, unsigned sharedBytes, void*, void** parameters,
                        void** extra) {
  if (!function || extra) return 1;
  if (gridX == 0 || gridY == 0 || gridZ == 0 || blockX == 0 || blockY == 0 || blockZ == 0) return 1;
  if (static_cast<uint64_t>(blockX) * blockY * blockZ > 1024 || gridY > 65535 || gridZ > 65535 || sharedBytes > 49152)
    return 1;
  const unsigned dims[6] = { gridX, gridY, gridZ, blockX, blockY, blockZ };
  return reinterpret_cast<int (*)(void**, const unsigned*)>(function)(parameters, dims) == 0 ? 0 : 719;
}

// ---- NVRTC.

typedef int nvrtcResult;

const char* nvrtcGetErrorString(nvrtcResult result) {
  switch (result) {
    case 0: return "NVRTC_SUCCESS";
    case 3: return "NVRTC_ERROR_INVALID_INPUT";
    case 4: return "NVRTC_ERROR_INVALID_PROGRAM";
    case 6: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR_INTERNAL_ERROR";
  }
}

// A version no real NVRTC has, so the PTX cache (keyed by it) never mixes emulated modules with real PTX.
nvrtcResult nvrtcVersion(int* major, int* minor) {
  if (!major || !minor) return 3;
  *major = 0;
  *minor = 1;
  return 0;
}

static const int kArchitectures[] = {50, 60, 70, 75, 80, 86, 89, 90};

nvrtcResult nvrtcGetNumSupportedArchs(int* count) {
  if (!count) return 3;
  *count = sizeof kArchitectures / sizeof kArchitectures[0];
  return 0;
}

nvrtcResult nvrtcGetSupportedArchs(int* architectures) {
  if (!architectures) return 3;
  memcpy(architectures, kArchitectures, sizeof kArchitectures);
  return 0;
}

nvrtcResult nvrtcCreateProgram(void** program, const char* source, const char* name, int headerCount, const char**,
                               const char**) {
  if (!program || !source || headerCount != 0) return 3;
  *program = new Program{source, name ? name : "program", "", ""};
  return 0;
}

nvrtcResult nvrtcDestroyProgram(void** program) {
  if (!program || !*program) return 4;
  delete static_cast<Program*>(*program);
  *program = nullptr;
  return 0;
}

nvrtcResult nvrtcCompileProgram(void* handle, int optionCount, const char** options) {
  if (!handle || optionCount < 0) return 4;
  auto* program = static_cast<Program*>(handle);
  std::vector<std::string> defines;
  for (int i = 0; i < optionCount; i++) {
    std::string option = options[i];
    if (option.rfind("-D", 0) == 0)
      defines.push_back(option);
    else if (option.rfind("--define-macro=", 0) == 0)
      defines.push_back("-D" + option.substr(15));
    else if (option.rfind("--gpu-architecture=", 0) != 0 && option.rfind("-arch=", 0) != 0 &&
             option.rfind("--std=", 0) != 0 && option.rfind("-std=", 0) != 0)
      return 5;  // INVALID_OPTION: the emulator does not know what it would mean
  }
  std::string library = Compile(program->source, defines, program->log);
  if (library.empty()) return 6;
  program->ptx = std::string(kPtxMarker) + library + "\n";
  return 0;
}

nvrtcResult nvrtcGetPTXSize(void* handle, size_t* size) {
  if (!handle || !size) return 4;
  *size = static_cast<Program*>(handle)->ptx.size() + 1;
  return 0;
}

nvrtcResult nvrtcGetPTX(void* handle, char* ptx) {
  if (!handle || !ptx) return 4;
  const std::string& text = static_cast<Program*>(handle)->ptx;
  memcpy(ptx, text.c_str(), text.size() + 1);
  return 0;
}

nvrtcResult nvrtcGetProgramLogSize(void* handle, size_t* size) {
  if (!handle || !size) return 4;
  *size = static_cast<Program*>(handle)->log.size() + 1;
  return 0;
}

nvrtcResult nvrtcGetProgramLog(void* handle, char* log) {
  if (!handle || !log) return 4;
  const std::string& text = static_cast<Program*>(handle)->log;
  memcpy(log, text.c_str(), text.size() + 1);
  return 0;
}

// ---- cuBLAS (host pointer mode: scalars and results are host pointers).

typedef int cublasStatus_t;

cublasStatus_t cublasCreate_v2(void** handle) {
  if (!handle) return 7;
  *handle = malloc(1);
  return 0;
}

cublasStatus_t cublasDestroy_v2(void* handle) {
  if (!handle) return 1;
  free(handle);
  return 0;
}

cublasStatus_t cublasSetStream_v2(void* handle, void*) { return handle ? 0 : 1; }

cublasStatus_t cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                              const float* a, int lda, const float* b, int ldb, const float* beta, float* c, int ldc) {
  return handle ? Gemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) : 1;
}

cublasStatus_t cublasDgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const double* alpha,
                              const double* a, int lda, const double* b, int ldb, const double* beta, double* c,
                              int ldc) {
  return handle ? Gemm(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) : 1;
}

cublasStatus_t cublasSaxpy_v2(void* h, int n, const float* alpha, const float* x, int incx, float* y, int incy) {
  return h ? Axpy(n, alpha, x, incx, y, incy) : 1;
}

cublasStatus_t cublasDaxpy_v2(void* h, int n, const double* alpha, const double* x, int incx, double* y, int incy) {
  return h ? Axpy(n, alpha, x, incx, y, incy) : 1;
}

cublasStatus_t cublasSdot_v2(void* h, int n, const float* x, int incx, const float* y, int incy, float* result) {
  return h && result ? Dot(n, x, incx, y, incy, result) : 1;
}

cublasStatus_t cublasDdot_v2(void* h, int n, const double* x, int incx, const double* y, int incy, double* result) {
  return h && result ? Dot(n, x, incx, y, incy, result) : 1;
}

cublasStatus_t cublasDscal_v2(void* h, int n, const double* alpha, double* x, int incx) {
  if (!h) return 1;
  for (int i = 0; i < n; i++) x[static_cast<int64_t>(i) * incx] *= *alpha;
  return 0;
}

cublasStatus_t cublasIdamax_v2(void* h, int n, const double* x, int incx, int* result) {
  if (!h || !result) return 1;
  // 1-based index of the first entry of largest magnitude; 0 for an empty vector.
  int best = 0;
  double largest = -1;
  for (int i = 0; i < n; i++) {
    double magnitude = std::fabs(x[static_cast<int64_t>(i) * incx]);
    if (magnitude > largest || (best == 0 && std::isnan(magnitude))) {
      largest = magnitude;
      best = i + 1;
    }
  }
  *result = best;
  return 0;
}

}  // extern "C"
