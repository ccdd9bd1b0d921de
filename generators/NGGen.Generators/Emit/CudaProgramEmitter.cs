using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>
/// Emits one program (Forward, Jvp, Vjp or a linearized pass of one function) as CUDA C kernels plus a host plan
/// that runs them in order, from the same IR and <see cref="StoragePlan"/> as the C# emitter: the workspace and
/// linearization layouts are identical, so a device buffer holds exactly what the CPU span would.
/// </summary>
/// <remarks>
/// Every kernel has one signature, <c>(theta, inputs, seed, result, workspace, linearization, batch)</c>, and finds
/// its operands at the same offsets the C# code slices. A fused elementwise group becomes one kernel with a thread
/// per output entry and the chain in registers; gathers, stores, sums and scatters become small kernels; matrix
/// products become plan steps the runtime gives to cuBLAS (<c>IDevicePlanRunner.MatMul</c>). The element type is
/// the macro <c>NGGEN_T</c>, so one source compiles for float and for double.
/// </remarks>
internal sealed class CudaProgramEmitter : ProgramWalker
{
    private const string KernelParameters =
        "const NGGEN_T* __restrict__ theta, const NGGEN_T* __restrict__ inputs, const NGGEN_T* __restrict__ seed, " +
        "NGGEN_T* result, NGGEN_T* workspace, NGGEN_T* linearization, int batch";

    private readonly string _prefix;
    private readonly int _linearizationRows;
    private readonly IndentedTextWriter _device = new();
    private readonly IndentedTextWriter _host = new();

    public CudaProgramEmitter(IrProgram program, string prefix, int linearizationRows = 0)
        : base(program)
    {
        _prefix = prefix;
        _linearizationRows = linearizationRows;
    }

    /// <summary>The CUDA C kernels of this program.</summary>
    public string DeviceSource => _device.ToString();

    /// <summary>The C# statements of the plan (a method body over <c>batch</c> and <c>runner</c>).</summary>
    public string HostPlan => _host.ToString();

    public void Emit()
    {
        for (int id = 0; id < Program.Count; id++)
        {
            if (Program[id].Op == Op.Const && Plan.Storage[id].Kind == StorageKind.Workspace)
                EmitConstants(id);
        }

        WalkNodes();
    }

    // ---- Operands -------------------------------------------------------------------------------

    private bool Batched(int id) => Program[id].Batched;

    private int Size(int id) => Program[id].Shape.Size;

    /// <summary>A device pointer expression for a value, as the C# emitter's span slices.</summary>
    private string Pointer(int id)
    {
        var s = Plan.Storage[id];
        string offset = Literals.Int(s.Offset);
        return s.Kind switch
        {
            StorageKind.Theta => $"(theta + {offset})",
            StorageKind.Seed => $"(seed + {offset})",
            StorageKind.Inputs => $"(inputs + {offset} * batch)",
            StorageKind.Gradient => $"(result + {offset})",
            StorageKind.Result => "result",
            StorageKind.Linearization when Batched(id) => $"(linearization + {offset} * batch)",
            StorageKind.Linearization => $"(linearization + {Literals.Int(_linearizationRows)} * batch + {offset})",
            StorageKind.Workspace when Batched(id) => $"(workspace + {offset} * batch)",
            StorageKind.Workspace => $"(workspace + {Literals.Int(Plan.BatchedRows)} * batch + {offset})",
            StorageKind.View => $"({Pointer(s.Source)} + {offset}{(Batched(id) ? " * batch" : "")})",
            _ => throw new InvalidOperationException($"node {id} ({Program[id].Op}) has no storage"),
        };
    }

    /// <summary>The same location as a host plan operand: region and element offset (a C# expression in batch).</summary>
    private string Operand(int id)
    {
        var s = Plan.Storage[id];
        string offset = Literals.Int(s.Offset);
        const string Region = "global::NGGen.DeviceRegion";
        return s.Kind switch
        {
            StorageKind.Theta => $"new global::NGGen.DeviceOperand({Region}.Theta, {offset})",
            StorageKind.Seed => $"new global::NGGen.DeviceOperand({Region}.Seed, {offset})",
            StorageKind.Inputs => $"new global::NGGen.DeviceOperand({Region}.Inputs, {offset}L * batch)",
            StorageKind.Gradient => $"new global::NGGen.DeviceOperand({Region}.Result, {offset})",
            StorageKind.Result => $"new global::NGGen.DeviceOperand({Region}.Result, 0)",
            StorageKind.Linearization when Batched(id) => $"new global::NGGen.DeviceOperand({Region}.Linearization, {offset}L * batch)",
            StorageKind.Linearization => $"new global::NGGen.DeviceOperand({Region}.Linearization, {Literals.Int(_linearizationRows)}L * batch + {offset})",
            StorageKind.Workspace when Batched(id) => $"new global::NGGen.DeviceOperand({Region}.Workspace, {offset}L * batch)",
            StorageKind.Workspace => $"new global::NGGen.DeviceOperand({Region}.Workspace, {Literals.Int(Plan.BatchedRows)}L * batch + {offset})",
            StorageKind.View => $"{Operand(s.Source)}.Plus({offset}{(Batched(id) ? "L * batch" : "")})",
            _ => throw new InvalidOperationException($"node {id} ({Program[id].Op}) has no storage"),
        };
    }

    private string Name(int id) => $"{_prefix}_{Literals.Int(id)}";

    // How elementwise code reads an unbatched value of one entry: an inline constant's literal, else entry 0.
    private string ScalarRead(int id)
        => Plan.Storage[id].Kind == StorageKind.Inline ? $"((NGGEN_T){CudaLiterals.Double(Program[id].Values[0])})" : $"{Pointer(id)}[0]";

    // Opens a kernel with one thread per index i < entries (× batch when perSample) and a grid-stride loop, and
    // queues its launch in the host plan.
    private void OpenKernel(int id, int entries, bool perSample, string suffix = "")
    {
        string name = Name(id) + suffix;
        _device.WriteLine($"extern \"C\" __global__ void {name}({KernelParameters})");
        _device.OpenBrace();
        _device.WriteLine($"const long long count = {Literals.Int(entries)}LL{(perSample ? " * batch" : "")};");
        _device.WriteLine("for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count; i += (long long)gridDim.x * blockDim.x)");
        _device.OpenBrace();
        _host.WriteLine($"runner.Kernel(\"{name}\", {Literals.Int(entries)}L{(perSample ? " * batch" : "")});");
    }

    private void CloseKernel()
    {
        _device.CloseBrace();
        _device.CloseBrace();
        _device.WriteLine();
    }

    // ---- Nodes ----------------------------------------------------------------------------------

    // The device passes keep the accumulating contract (gradient +=), so the first write into a gradient slice adds.
    private static bool Adds(Write write) => write != Write.Overwrite;

    private void EmitConstants(int id)
    {
        var values = Program[id].Values;
        _device.WriteLine($"__device__ const double {Name(id)}_values[{Literals.Int(values.Count)}] = {{ {string.Join(", ", values.Select(CudaLiterals.Double))} }};");
        OpenKernel(id, values.Count, false, "_load");
        _device.WriteLine($"{Pointer(id)}[i] = (NGGEN_T){Name(id)}_values[i];");
        CloseKernel();
    }

    protected override void EmitConcat(int id, Write write)
    {
        bool accumulate = Adds(write);
        var node = Program[id];
        int offset = 0, part = 0;
        foreach (int input in node.Inputs)
        {
            int size = Size(input);
            string destination = $"({Pointer(id)} + {Literals.Int(offset)}{(node.Batched ? " * batch" : "")})";
            EmitStore(id, $"_part{Literals.Int(part++)}", input, destination, node.Batched, size, accumulate);
            offset += size;
        }
    }

    protected override void EmitBroadcast(int id, Write write)
        => EmitStore(id, "", Program[id].Input(0), Pointer(id), Program[id].Batched, Size(id), Adds(write));

    protected override void EmitOutput(int id, int value)
        => EmitStore(id, "", value, "result", true, Size(id), false);

    protected override void EmitUnbatchedElementwise(int id)
    {
        var node = Program[id];
        string Read(int input) => Size(input) == 1 ? ScalarRead(input) : $"{Pointer(input)}[i]";
        OpenKernel(id, Size(id), false);
        string b = node.Inputs.Count > 1 ? Read(node.Input(1)) : "";
        _device.WriteLine($"{Pointer(id)}[i] = {CudaExpression(node.Op, Read(node.Input(0)), b)};");
        CloseKernel();
    }

    // One thread per entry (e, n) of the root: the members run in registers, only the chain's inputs and its
    // result touch memory.
    protected override void EmitFusedGroup(int root, Write write)
    {
        bool accumulate = Adds(write);
        var members = Plan.GroupMembers(root);
        var memberSet = new HashSet<int>(members);
        int size = Size(root);

        string Read(int input)
        {
            if (memberSet.Contains(input))
                return $"t{Literals.Int(members.IndexOf(input))}";
            if (Batched(input))
                return Size(input) == 1 && size > 1 ? $"{Pointer(input)}[n]" : $"{Pointer(input)}[i]";
            return Size(input) == 1 ? ScalarRead(input) : $"{Pointer(input)}[e]";
        }

        _device.WriteLine($"// fused: {string.Join(" → ", members.Select(m => Program[m].Op))}");
        OpenKernel(root, size, true);
        _device.WriteLine("const long long e = i / batch, n = i % batch;");
        for (int k = 0; k < members.Count; k++)
        {
            var node = Program[members[k]];
            string b = node.Inputs.Count > 1 ? Read(node.Input(1)) : "";
            _device.WriteLine($"const NGGEN_T t{Literals.Int(k)} = {CudaExpression(node.Op, Read(node.Input(0)), b)};");
        }
        _device.WriteLine($"{Pointer(root)}[i] {(accumulate ? "+=" : "=")} t{Literals.Int(members.IndexOf(root))};");
        CloseKernel();
    }

    protected override void EmitGather(int id, Write write)
    {
        bool accumulate = Adds(write);
        var node = Program[id];
        _device.WriteLine($"__device__ const int {Name(id)}_indices[{Literals.Int(node.Ints.Count)}] = {{ {string.Join(", ", node.Ints.Select(Literals.Int))} }};");
        bool batched = Batched(node.Input(0));
        string row = batched ? "batch" : "1";
        OpenKernel(id, node.Ints.Count, batched);
        _device.WriteLine($"const long long e = i / {row}, n = i % {row};");
        _device.WriteLine($"{Pointer(id)}[i] {(accumulate ? "+=" : "=")} {Pointer(node.Input(0))}[{Name(id)}_indices[e] * {row} + n];");
        CloseKernel();
    }

    // Batched.Store: dstSize rows of the destination from a source of srcSize (1: broadcast) rows.
    private void EmitStore(int id, string suffix, int source, string destination, bool destinationBatched, int destinationSize, bool accumulate)
    {
        string row = destinationBatched ? "batch" : "1";
        OpenKernel(id, destinationSize, destinationBatched, suffix);
        _device.WriteLine($"const long long e = i / {row}, n = i % {row};");
        string se = Size(source) == 1 ? "0" : "e";
        string value = Batched(source) ? $"{Pointer(source)}[{se} * batch + n]" : $"{Pointer(source)}[{se}]";
        _device.WriteLine($"{destination}[i] {(accumulate ? "+=" : "=")} {value};");
        CloseKernel();
    }

    protected override void EmitSumFeatures(int id, Write write)
    {
        bool accumulate = Adds(write);
        var node = Program[id];
        int source = node.Input(0);
        string row = Batched(source) ? "batch" : "1";
        OpenKernel(id, 1, Batched(source));
        _device.WriteLine("NGGEN_T sum = 0;");
        _device.WriteLine($"for (int e = 0; e < {Literals.Int(Size(source))}; e++) sum += {Pointer(source)}[e * (long long){row} + i];");
        _device.WriteLine($"{Pointer(id)}[i] = {(accumulate ? $"{Pointer(id)}[i] + " : "")}sum;");
        CloseKernel();
    }

    // A block per entry: its threads sum strided parts of the entry's batch row (coalesced across the block), then
    // a tree reduction in shared memory. Launched as a reduction step, whose block size (a power of two, at most
    // NGGEN_REDUCTION_THREADS) the runner chooses.
    protected override void EmitBatchSum(int id, Write write)
    {
        bool accumulate = Adds(write);
        var node = Program[id];
        string name = Name(id);
        string source = Pointer(node.Input(0)), destination = Pointer(id);
        _device.WriteLine($"extern \"C\" __global__ void {name}({KernelParameters})");
        _device.OpenBrace();
        _device.WriteLine("__shared__ NGGEN_T partial[NGGEN_REDUCTION_THREADS];");
        _device.WriteLine($"for (long long e = blockIdx.x; e < {Literals.Int(Size(id))}LL; e += gridDim.x)");
        _device.OpenBrace();
        _device.WriteLine("NGGEN_T sum = 0;");
        _device.WriteLine($"for (long long n = threadIdx.x; n < batch; n += blockDim.x) sum += {source}[e * batch + n];");
        _device.WriteLine("partial[threadIdx.x] = sum;");
        _device.WriteLine("__syncthreads();");
        _device.WriteLine("for (unsigned s = blockDim.x / 2; s > 0; s >>= 1)");
        _device.OpenBrace();
        _device.WriteLine("if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];");
        _device.WriteLine("__syncthreads();");
        _device.CloseBrace();
        _device.WriteLine($"if (threadIdx.x == 0) {destination}[e] = {(accumulate ? $"{destination}[e] + " : "")}partial[0];");
        // No thread may overwrite partial for the next entry before thread 0 has read it.
        _device.WriteLine("__syncthreads();");
        _device.CloseBrace();
        _device.CloseBrace();
        _device.WriteLine();
        _host.WriteLine($"runner.Reduction(\"{name}\", {Literals.Int(Size(id))}L, batch);");
    }

    protected override void EmitMatMul(int id, Write write)
    {
        bool accumulate = Adds(write);
        var node = Program[id];
        int a = node.Input(0), b = node.Input(1);
        string Bool(bool value) => value ? "true" : "false";
        _host.WriteLine($"runner.MatMul({Operand(a)}, {Bool(Batched(a))}, {Literals.Int(Program[a].Shape.Cols)}, {Bool(node.Ints[0] == 1)}, " +
            $"{Operand(b)}, {Bool(Batched(b))}, {Literals.Int(Program[b].Shape.Cols)}, {Bool(node.Ints[1] == 1)}, " +
            $"{Operand(id)}, {Bool(node.Batched)}, {Literals.Int(node.Ints[2])}, {Literals.Int(node.Ints[3])}, {Literals.Int(node.Ints[4])}, batch, {Bool(accumulate)});");
    }

    protected override void EmitAccumulate(int id, int slot, int value, Write write)
    {
        bool initialized = Adds(write);
        var node = Program[id];
        if (node.Ints.Count == 0)
        {
            EmitStore(id, "", value, Pointer(slot), Batched(slot), Size(slot), initialized);
            return;
        }

        string slotRow = Batched(slot) ? "batch" : "1";
        if (!initialized)
        {
            OpenKernel(id, Size(slot), Batched(slot), "_clear");
            _device.WriteLine($"{Pointer(slot)}[i] = 0;");
            CloseKernel();
        }

        // One thread per sample walks the indices in order, so repeated indices never race.
        _device.WriteLine($"__device__ const int {Name(id)}_indices[{Literals.Int(node.Ints.Count)}] = {{ {string.Join(", ", node.Ints.Select(Literals.Int))} }};");
        OpenKernel(id, 1, Batched(slot));
        string source = Batched(value) ? $"{Pointer(value)}[e * (long long)batch + i]" : $"{Pointer(value)}[e]";
        _device.WriteLine($"for (int e = 0; e < {Literals.Int(node.Ints.Count)}; e++) {Pointer(slot)}[{Name(id)}_indices[e] * (long long){slotRow} + i] += {source};");
        CloseKernel();
    }

    private static string CudaExpression(Op op, string a, string b) => op switch
    {
        Op.Add => $"{a} + {b}",
        Op.Sub => $"{a} - {b}",
        Op.Mul => $"{a} * {b}",
        Op.Div => $"{a} / {b}",
        Op.Pow => $"pow({a}, {b})",
        Op.Neg => $"-{a}",
        Op.Exp => $"exp({a})",
        Op.Expm1 => $"expm1({a})",
        Op.Log => $"log({a})",
        Op.Log1p => $"log1p({a})",
        Op.Sin => $"sin({a})",
        Op.Cos => $"cos({a})",
        Op.Tan => $"tan({a})",
        Op.Tanh => $"tanh({a})",
        Op.Sqrt => $"sqrt({a})",
        Op.Atan => $"atan({a})",
        Op.Abs => $"fabs({a})",
        Op.Sign => $"nggen_sign({a})",
        Op.Relu => $"nggen_relu({a})",
        Op.Step => $"nggen_step({a})",
        Op.Sigmoid => $"nggen_sigmoid({a})",
        _ => throw new InvalidOperationException($"{op} is not elementwise"),
    };
}

/// <summary>Literals in CUDA C.</summary>
internal static class CudaLiterals
{
    public static string Double(double value)
    {
        if (double.IsNaN(value))
            return "(0.0 / 0.0)";
        if (double.IsPositiveInfinity(value))
            return "(1.0 / 0.0)";
        if (double.IsNegativeInfinity(value))
            return "(-1.0 / 0.0)";
        return Literals.Double(value);
    }
}
