using NGGen.Generators.Helpers;
using NGGen.Generators.Ir;

namespace NGGen.Generators.Emit;

/// <summary>Emits one generated method body (Forward, Jvp or Vjp of one function) from its IR.</summary>
internal sealed class ProgramEmitter : ProgramWalker
{
    private const string TP = "global::System.Numerics.Tensors.TensorPrimitives";
    private const string Kernels = "global::NGGen.Kernels.Batched";
    private const string MatMulCall = "global::NGGen.Kernels.MatMulCall<T>";
    private const string Activations = "global::NGGen.Kernels.Activations";
    private const string FusedMath = "global::NGGen.Kernels.FusedMath";
    private const string Constraint = "where T : unmanaged, global::System.Numerics.IFloatingPointIeee754<T>";

    // Temporaries one part of a fused loop may stackalloc: 32 KiB in double, the chunks of an 8-op chain.
    private const int MaxScratchValues = 4096;

    private readonly IndentedTextWriter _w;
    private readonly string _prefix;

    /// <summary>Class-level declarations the method refers to: constants, index tables and fused-loop bodies.</summary>
    public List<string> StaticData { get; } = [];

    private readonly int _linearizationRows;
    private readonly int _gradientLength;

    /// <param name="linearizationRows">Per-sample rows of the linearization buffer (shared entries follow them).</param>
    /// <param name="gradientLength">For a VJP, the length of the gradient it writes (the model's parameter count): the
    /// method then takes <c>bool accumulate</c>, and with it false overwrites every entry. -1 for other passes.</param>
    public ProgramEmitter(IrProgram program, IndentedTextWriter writer, string prefix, int linearizationRows = 0, int gradientLength = -1)
        : base(program)
    {
        _linearizationRows = linearizationRows;
        _gradientLength = gradientLength;
        _w = writer;
        _prefix = prefix;
    }

    /// <summary>Workspace entries: a·batch + b.</summary>
    public WorkspaceSize WorkspaceSize => new(Plan.BatchedRows, Plan.UnbatchedLength, Plan.ChunkFactor);

    public void EmitBody()
    {
        DeclareLocals();
        if (_gradientLength >= 0)
            ClearGradientNothingWrites();
        WalkNodes();
    }

    // An overwriting VJP must leave every gradient entry defined: the parameters this function does not depend on get
    // zeros. When gradient slots overlap, every write adds, so the whole gradient is cleared first.
    private void ClearGradientNothingWrites()
    {
        var gaps = new List<(int Offset, int Length)>();
        if (!Accumulation.GradientRegionsDisjoint)
        {
            gaps.Add((0, _gradientLength));
        }
        else
        {
            int next = 0;
            foreach (var (offset, length) in Accumulation.GradientRegions.Append((_gradientLength, 0)))
            {
                if (offset > next)
                    gaps.Add((next, offset - next));
                next = Math.Max(next, offset + length);
            }
        }
        if (gaps.Count == 0)
            return;
        _w.WriteLine("if (!accumulate)");
        _w.OpenBrace();
        foreach (var (offset, length) in gaps)
            _w.WriteLine($"result.Slice({Literals.Int(offset)}, {Literals.Int(length)}).Clear();");
        _w.CloseBrace();
    }

    // ---- Locals ---------------------------------------------------------------------------------

    private string V(int id) => "v" + Literals.Int(id);

    private bool IsReadOnly(int id)
    {
        var s = Plan.Storage[id];
        return s.Kind switch
        {
            StorageKind.Theta or StorageKind.Seed or StorageKind.Inputs => true,
            StorageKind.Linearization => Program[id].Op == Op.Saved,
            StorageKind.View => IsReadOnly(s.Source),
            _ => false,
        };
    }

    private string Stride(int id) => Program[id].Batched ? " * batch" : "";

    private string Length(int id) => Literals.Int(Program[id].Shape.Size) + Stride(id);

    private void DeclareLocals()
    {
        if (Plan.MaxGroupTemps > 0)
        {
            _w.WriteLine($"int chunk = {WorkspaceSize.ChunkExpression};");
        }
        var views = new List<int>();
        for (int id = 0; id < Program.Count; id++)
        {
            var node = Program[id];
            var s = Plan.Storage[id];
            string type = IsReadOnly(id) ? "global::System.ReadOnlySpan<T>" : "global::System.Span<T>";
            string? init = s.Kind switch
            {
                StorageKind.Theta => $"theta.Slice({Literals.Int(s.Offset)}, {Length(id)})",
                StorageKind.Seed => $"seed.Slice({Literals.Int(s.Offset)}, {Length(id)})",
                StorageKind.Inputs => $"inputs.Slice({Literals.Int(s.Offset)} * batch, {Length(id)})",
                StorageKind.Gradient => $"result.Slice({Literals.Int(s.Offset)}, {Length(id)})",
                StorageKind.Result => $"result.Slice(0, {Length(id)})",
                StorageKind.Linearization when node.Batched => $"linearization.Slice({Literals.Int(s.Offset)} * batch, {Length(id)})",
                StorageKind.Linearization => $"linearization.Slice({Literals.Int(_linearizationRows)} * batch + {Literals.Int(s.Offset)}, {Length(id)})",
                StorageKind.Workspace when node.Batched => $"workspace.Slice({Literals.Int(s.Offset)} * batch, {Length(id)})",
                StorageKind.Workspace => $"workspace.Slice({Literals.Int(Plan.BatchedRows)} * batch + {Literals.Int(s.Offset)}, {Length(id)})",
                _ => null,
            };
            if (s.Kind == StorageKind.View)
                views.Add(id);
            else if (init is not null)
                _w.WriteLine($"{type} {V(id)} = {init};");
        }

        // Views may refer to later nodes (a producer writing into a cotangent slot), so declare them
        // once their source is declared.
        var declared = new HashSet<int>(Enumerable.Range(0, Program.Count).Where(i => Plan.Storage[i].Kind is not (StorageKind.View or StorageKind.Fused)));
        while (views.Count > 0)
        {
            int progress = views.RemoveAll(id =>
            {
                var s = Plan.Storage[id];
                if (!declared.Contains(s.Source))
                    return false;
                string type = IsReadOnly(id) ? "global::System.ReadOnlySpan<T>" : "global::System.Span<T>";
                _w.WriteLine($"{type} {V(id)} = {V(s.Source)}.Slice({Literals.Int(s.Offset)}{Stride(id)}, {Length(id)});");
                declared.Add(id);
                return true;
            });
            if (progress == 0)
                throw new InvalidOperationException("cyclic views");
        }

        for (int id = 0; id < Program.Count; id++)
        {
            if (Program[id].Op != Op.Const || Plan.Storage[id].Kind != StorageKind.Workspace)
                continue;
            string name = $"s_{Camel(_prefix)}Const{id}";
            // Static arrays, not ReadOnlySpan properties: those allocate per call in Debug builds.
            StaticData.Add($"private static readonly double[] {name} = [{string.Join(", ", Program[id].Values.Select(Literals.Double))}];");
            _w.WriteLine($"{Kernels}.LoadConstants({name}, {V(id)});");
        }
    }

    // ---- Nodes ----------------------------------------------------------------------------------

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    // How elementwise code reads an unbatched value of one entry: an inline constant's literal, else entry 0.
    private string ScalarRead(int id)
        => Plan.Storage[id].Kind == StorageKind.Inline ? $"T.CreateTruncating({Literals.Double(Program[id].Values[0])})" : $"{V(id)}[0]";

    private static string Bool(bool value) => value ? "true" : "false";

    // The accumulate argument of a kernel call: a VJP's first write into a gradient slice passes the method's own.
    private static string Flag(Write write) => write switch
    {
        Write.Overwrite => "false",
        Write.Accumulate => "true",
        _ => "accumulate",
    };

    protected override void EmitGather(int id, Write write)
    {
        var node = Program[id];
        string name = $"s_{Camel(_prefix)}Indices{id}";
        StaticData.Add($"private static readonly int[] {name} = [{string.Join(", ", node.Ints.Select(Literals.Int))}];");
        _w.WriteLine($"{Kernels}.Gather({V(node.Input(0))}, {Bool(Program[node.Input(0)].Batched)}, {name}, {V(id)}, batch, {Flag(write)});");
    }

    protected override void EmitConcat(int id, Write write)
    {
        var node = Program[id];
        int offset = 0;
        foreach (int part in node.Inputs)
        {
            int size = Program[part].Shape.Size;
            _w.WriteLine($"{Kernels}.Store({V(part)}, {Bool(Program[part].Batched)}, {Literals.Int(size)}, {V(id)}.Slice({Literals.Int(offset)}{Stride(id)}, {Literals.Int(size)}{Stride(id)}), {Bool(node.Batched)}, {Literals.Int(size)}, batch, {Flag(write)});");
            offset += size;
        }
    }

    protected override void EmitBroadcast(int id, Write write)
    {
        var node = Program[id];
        _w.WriteLine($"{Kernels}.Store({V(node.Input(0))}, {Bool(Program[node.Input(0)].Batched)}, 1, {V(id)}, {Bool(node.Batched)}, {Literals.Int(node.Shape.Size)}, batch, {Flag(write)});");
    }

    protected override void EmitSumFeatures(int id, Write write)
    {
        var node = Program[id];
        _w.WriteLine($"{Kernels}.SumFeatures({V(node.Input(0))}, {Bool(Program[node.Input(0)].Batched)}, {Literals.Int(Program[node.Input(0)].Shape.Size)}, {V(id)}, batch, {Flag(write)});");
    }

    protected override void EmitBatchSum(int id, Write write)
    {
        var node = Program[id];
        _w.WriteLine($"{Kernels}.BatchSum({V(node.Input(0))}, {Literals.Int(node.Shape.Size)}, {V(id)}, batch, {Flag(write)});");
    }

    protected override void EmitMatMul(int id, Write write)
        => _w.WriteLine($"{Kernels}.MatMul({MatMulArguments(id, write)});");

    // The product runs the loop on each block of C it finishes (Batched.MatMul with an IGemmEpilogue).
    protected override void EmitProductWithEpilogue(int product, Write productWrite, int root, Write rootWrite)
        => _w.WriteLine($"{Kernels}.MatMul({MatMulArguments(product, productWrite)}, {EpilogueArguments(root, rootWrite)});");

    // Declares the fused loop rooted at `root` as an epilogue and returns what follows a product's arguments: the
    // loop, its rows and its elements.
    private string EpilogueArguments(int root, Write rootWrite)
    {
        string local = DeclareFusedLoop(root, LoopAdds(rootWrite), asEpilogue: true);
        return $"{local}, {LoopRows(root, local)}, {Literals.Int(Program[root].Shape.Size)}L * batch";
    }

    protected override bool PairsProducts => true;

    protected override void EmitProductsBeside(int first, Write firstWrite, int second, Write secondWrite, int root, Write rootWrite)
    {
        string pair = $"new {MatMulCall}({MatMulArguments(first, firstWrite)}), new {MatMulCall}({MatMulArguments(second, secondWrite)})";
        _w.WriteLine(root < 0 ? $"{Kernels}.MatMulBeside({pair});" : $"{Kernels}.MatMulBeside({pair}, {EpilogueArguments(root, rootWrite)});");
    }

    private string MatMulArguments(int id, Write write)
    {
        var node = Program[id];
        var a = Program[node.Input(0)];
        var b = Program[node.Input(1)];
        return $"{V(node.Input(0))}, {Bool(a.Batched)}, {Literals.Int(a.Shape.Cols)}, {Bool(node.Ints[0] == 1)}, " +
            $"{V(node.Input(1))}, {Bool(b.Batched)}, {Literals.Int(b.Shape.Cols)}, {Bool(node.Ints[1] == 1)}, " +
            $"{V(id)}, {Bool(node.Batched)}, {Literals.Int(node.Ints[2])}, {Literals.Int(node.Ints[3])}, {Literals.Int(node.Ints[4])}, batch, {Flag(write)}";
    }

    protected override void EmitOutput(int id, int value)
        => _w.WriteLine($"{Kernels}.Store({V(value)}, {Bool(Program[value].Batched)}, {Literals.Int(Program[value].Shape.Size)}, result, true, {Literals.Int(Program[id].Shape.Size)}, batch, false);");

    protected override void EmitAccumulate(int id, int slot, int value, Write write)
    {
        var node = Program[id];
        if (node.Ints.Count > 0)
        {
            if (write == Write.Overwrite)
                _w.WriteLine($"{V(slot)}.Clear();");
            else if (write == Write.AsCallerChose)
                _w.WriteLine($"if (!accumulate) {V(slot)}.Clear();");
            string name = $"s_{Camel(_prefix)}Indices{id}";
            StaticData.Add($"private static readonly int[] {name} = [{string.Join(", ", node.Ints.Select(Literals.Int))}];");
            _w.WriteLine($"{Kernels}.ScatterAdd({V(value)}, {Bool(Program[value].Batched)}, {name}, {V(slot)}, {Bool(Program[slot].Batched)}, batch);");
        }
        else
        {
            _w.WriteLine($"{Kernels}.Store({V(value)}, {Bool(Program[value].Batched)}, {Literals.Int(Program[value].Shape.Size)}, {V(slot)}, {Bool(Program[slot].Batched)}, {Literals.Int(Program[slot].Shape.Size)}, batch, {Flag(write)});");
        }
    }

    // ---- Elementwise ----------------------------------------------------------------------------

    protected override void EmitUnbatchedElementwise(int id)
    {
        var node = Program[id];
        int size = node.Shape.Size;
        string Operand(int input, string e) => Program[input].Shape.Size == 1 ? ScalarRead(input) : $"{V(input)}[{e}]";
        string expression = ScalarExpression(node, Operand(node.Input(0), "e"), node.Inputs.Count > 1 ? Operand(node.Input(1), "e") : "");
        if (size == 1)
            _w.WriteLine($"{V(id)}[0] = {expression.Replace("[e]", "[0]")};");
        else
            _w.WriteLine($"for (int e = 0; e < {Literals.Int(size)}; e++) {V(id)}[e] = {expression};");
    }

    private static string ScalarExpression(IrNode node, string a, string b) => node.Op switch
    {
        Op.Add => $"{a} + {b}",
        Op.Sub => $"{a} - {b}",
        Op.Mul => $"{a} * {b}",
        Op.Div => $"{a} / {b}",
        Op.Pow => $"T.Pow({a}, {b})",
        Op.Neg => $"-{a}",
        Op.Exp => $"T.Exp({a})",
        Op.Expm1 => $"{FusedMath}.Expm1({a})",
        Op.Log => $"T.Log({a})",
        Op.Log1p => $"{FusedMath}.Log1p({a})",
        Op.Sin => $"T.Sin({a})",
        Op.Cos => $"T.Cos({a})",
        Op.Tan => $"T.Tan({a})",
        Op.Tanh => $"T.Tanh({a})",
        Op.Sqrt => $"T.Sqrt({a})",
        Op.Atan => $"T.Atan({a})",
        Op.Abs => $"T.Abs({a})",
        Op.Sign => $"T.CreateTruncating(T.Sign({a}))",
        Op.Relu => $"({a} > T.Zero ? {a} : T.Zero)",
        Op.Step => $"({a} > T.Zero ? T.One : T.Zero)",
        Op.Sigmoid => $"T.One / (T.One + T.Exp(-{a}))",
        _ => throw new InvalidOperationException($"{node.Op} is not elementwise"),
    };

    /// <summary>
    /// One pass over memory for a chain of elementwise ops: the batch is processed in chunks that
    /// stay in L1, each op runs as a vectorised TensorPrimitives call on the chunk, and only the
    /// chain's inputs and its result touch main memory. The loop is a ref struct's <c>Run(start, end)</c>
    /// over rows (features, or chunks of a flat loop), which <c>FusedLoops.Run</c> splits across the
    /// kernel threads: these passes are bound by memory bandwidth, which the second core nearly doubles.
    /// </summary>
    protected override bool FusesFollowers => true;

    protected override void EmitFusedGroup(int root, Write write)
    {
        string local = DeclareFusedLoop(root, LoopAdds(write), asEpilogue: false);
        _w.WriteLine($"global::NGGen.Kernels.FusedLoops.Run({local}, {LoopRows(root, local)}, {Literals.Int(Program[root].Shape.Size)}L * batch);");
    }

    // A fused loop is batched and a gradient slice is not, so no loop ever makes the first write into one.
    private static bool LoopAdds(Write write) => write switch
    {
        Write.Overwrite => false,
        Write.Accumulate => true,
        _ => throw new InvalidOperationException("a fused loop cannot write the gradient"),
    };

    // Rows of a loop's Run(start, end): its features, or the chunks of a flat loop.
    private string LoopRows(int root, string local)
    {
        int size = Program[root].Shape.Size;
        return IsPerFeature(root) ? Literals.Int(size) : $"(int)(({Literals.Int(size)}L * batch + {local}.chunk - 1) / {local}.chunk)";
    }

    // Whether the loop (with its followers) reads a per-feature value (a bias) or a per-sample one broadcast over
    // features: its rows are then features; otherwise they are chunks of the flattened values.
    private bool IsPerFeature(int root)
    {
        var memberSet = new HashSet<int>(Plan.LoopMembers(root));
        int size = Program[root].Shape.Size;
        return size > 1 && memberSet.SelectMany(m => Program[m].Inputs).Where(i => !memberSet.Contains(i))
            .Any(i => Program[i].Batched ? Program[i].Shape.Size == 1 : Program[i].Shape.Size > 1);
    }

    // Writes the loop body's type (to StaticData) and the local holding it; returns the local's name. An epilogue
    // body also gets the IGemmEpilogue block form: rows are entries, columns samples, for any loop. The loop's
    // followers run in the same chunk after it, each writing its own root.
    private string DeclareFusedLoop(int root, bool accumulate, bool asEpilogue)
    {
        var roots = new List<int> { root };
        roots.AddRange(Plan.FollowersOf(root));
        var members = Plan.LoopMembers(root);
        var memberSet = new HashSet<int>(members);
        int size = Program[root].Shape.Size;
        bool perFeature = IsPerFeature(root);
        string rowStart = perFeature ? "e * batch + n0" : "n0";

        // Every value the loop reads or writes outside its own temporaries becomes a field of the body.
        var external = members.SelectMany(m => Program[m].Inputs).Where(i => !memberSet.Contains(i)).Distinct().OrderBy(i => i).ToList();
        var fields = external.Concat(roots).Where(i => Plan.Storage[i].Kind != StorageKind.Inline).Distinct().OrderBy(i => i).ToList();

        // A root the chain stores straight into its destination is read back from there by a follower.
        bool WrittenDirectly(int member) => roots.Contains(member) && !(member == root && accumulate);

        string Operand(int input, string offset)
        {
            if (memberSet.Contains(input) && WrittenDirectly(input))
                return $"{V(input)}.Slice({offset}, len)";
            if (memberSet.Contains(input))
                return $"t{members.IndexOf(input)}";
            var node = Program[input];
            if (node.Batched)
                return node.Shape.Size == 1 && size > 1 ? $"{V(input)}.Slice(n0, len)" : $"{V(input)}.Slice({offset}, len)";
            return node.Shape.Size == 1 ? ScalarRead(input) : $"{V(input)}[e]";
        }

        bool IsScalar(int input) => !memberSet.Contains(input) && !Program[input].Batched;

        string typeName = $"{_prefix}Fused{Literals.Int(root)}";
        var body = new IndentedTextWriter();

        // A chain of arithmetic and tanh runs in vector registers where FusedMath says it can; the calls
        // through chunk-sized temporaries stay as the form for everything else.
        bool inRegisters = members.All(m => Program[m].Op is Op.Add or Op.Sub or Op.Mul or Op.Div or Op.Neg or Op.Tanh);
        string vectorizes = $"{FusedMath}.Vectorizes<T>()";

        // The chain on one chunk, in registers: each full-size value is read and each root written once per element.
        void WriteRegisterChain(string offset)
        {
            foreach (int input in external)
            {
                var node = Program[input];
                if (!node.Batched)
                    body.WriteLine($"T c{Literals.Int(input)} = {(node.Shape.Size == 1 ? ScalarRead(input) : $"{V(input)}[e]")};");
                else
                    body.WriteLine($"ref T p{Literals.Int(input)} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({Operand(input, offset)});");
            }
            foreach (int r in roots)
                body.WriteLine($"ref T p{Literals.Int(r)} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({V(r)}.Slice({offset}, len));");
            body.WriteLine("int i = 0;");
            body.WriteLine($"if ({Vector(512)}.IsHardwareAccelerated)");
            body.OpenBrace();
            WriteRegisterLoop(Vector(512));
            body.CloseBrace();
            // Vector128 only where 256-bit vectors are not accelerated (ARM64): x86 keeps its scalar tail, and the
            // JIT and NativeAOT drop whichever branch the hardware rules out.
            body.WriteLine($"if ({Vector(256)}.IsHardwareAccelerated)");
            body.OpenBrace();
            WriteRegisterLoop(Vector(256));
            body.CloseBrace();
            body.WriteLine("else");
            body.OpenBrace();
            WriteRegisterLoop(Vector(128));
            body.CloseBrace();
            WriteRegisterLoop(null);
        }

        static string Vector(int bits) => $"global::System.Runtime.Intrinsics.Vector{Literals.Int(bits)}";

        // One loop over the chunk in `vector` registers (Vector512, Vector256 or Vector128), or element by element (null).
        void WriteRegisterLoop(string? vector)
        {
            string step = vector is null ? "1" : $"{vector}<T>.Count";
            body.WriteLine(vector is null ? "for (; i < len; i++)" : $"for (; i <= len - {step}; i += {step})");
            body.OpenBrace();
            string Load(int input) => vector is null
                ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref p{Literals.Int(input)}, i)"
                : $"{vector}.LoadUnsafe(ref p{Literals.Int(input)}, (nuint)i)";
            string Read(int input)
            {
                if (memberSet.Contains(input))
                    return $"r{members.IndexOf(input)}";
                if (!Program[input].Batched)
                    return vector is null ? $"c{Literals.Int(input)}" : $"{vector}.Create(c{Literals.Int(input)})";
                return Load(input);
            }
            foreach (int m in members)
            {
                var node = Program[m];
                string a = Read(node.Input(0));
                string value = node.Op switch
                {
                    Op.Neg => $"-{a}",
                    Op.Tanh => $"{FusedMath}.Tanh({a})",
                    Op.Add => $"{a} + {Read(node.Input(1))}",
                    Op.Sub => $"{a} - {Read(node.Input(1))}",
                    Op.Mul => $"{a} * {Read(node.Input(1))}",
                    _ => $"{a} / {Read(node.Input(1))}",
                };
                body.WriteLine($"var r{members.IndexOf(m)} = {value};");
            }
            foreach (int r in roots)
            {
                string value = $"r{members.IndexOf(r)}";
                if (r == root && accumulate)
                    value = $"{value} + {Load(r)}";
                body.WriteLine(vector is null
                    ? $"{Load(r)} = {value};"
                    : $"{vector}.StoreUnsafe({value}, ref p{Literals.Int(r)}, (nuint)i);");
            }
            body.CloseBrace();
        }

        // The chain on one chunk of `len` values starting at element `offset` of every full-size value.
        void WriteChain(string offset)
        {
            if (inRegisters)
            {
                body.WriteLine($"if ({vectorizes})");
                body.OpenBrace();
                WriteRegisterChain(offset);
                body.WriteLine("continue;");
                body.CloseBrace();
            }
            for (int k = 0; k < members.Count; k++)
                body.WriteLine(k == 0 ? "global::System.Span<T> t0 = scratch.Slice(0, len);" : $"global::System.Span<T> t{k} = scratch.Slice({Literals.Int(k)} * width, len);");
            foreach (int m in members)
            {
                var node = Program[m];
                string target = WrittenDirectly(m) ? $"{V(m)}.Slice({offset}, len)" : $"t{members.IndexOf(m)}";
                string a = Operand(node.Input(0), offset);
                if (OpFacts.IsUnary(node.Op))
                {
                    body.WriteLine(UnaryCall(node.Op, a, target));
                    continue;
                }
                string b = Operand(node.Input(1), offset);
                body.WriteLine(BinaryCall(node.Op, a, IsScalar(node.Input(0)), b, IsScalar(node.Input(1)), target));
            }
            if (accumulate)
            {
                string destination = $"{V(root)}.Slice({offset}, len)";
                body.WriteLine($"{TP}.Add(t{members.IndexOf(root)}, {destination}, {destination});");
            }
        }

        // The temporaries of the call-per-operation form (stackalloc clears them, so a register chain takes none).
        string Scratch() => inRegisters
            ? $"global::System.Span<T> scratch = {vectorizes} ? default : stackalloc T[{Literals.Int(members.Count)} * width];"
            : $"global::System.Span<T> scratch = stackalloc T[{Literals.Int(members.Count)} * width];";

        string interfaces = asEpilogue ? "global::NGGen.Kernels.IFusedLoopBody, global::NGGen.Kernels.IGemmEpilogue" : "global::NGGen.Kernels.IFusedLoopBody";
        body.WriteLine($"private ref struct {typeName}<T> : {interfaces} {Constraint}");
        body.OpenBrace();
        foreach (int id in fields)
            body.WriteLine($"public {(IsReadOnly(id) ? "global::System.ReadOnlySpan<T>" : "global::System.Span<T>")} {V(id)};");
        body.WriteLine("public int batch;");
        body.WriteLine("public int chunk;");
        body.WriteLine();
        if (asEpilogue && perFeature)
        {
            // A per-feature loop's rows are the product's rows: its whole-row form is the block form over every sample.
            body.WriteLine("public void Run(int start, int end) => Run(start, end, 0, batch);");
        }
        else
        {
            body.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
            body.WriteLine("public void Run(int start, int end)");
            body.OpenBrace();
            // A per-feature loop never holds more than one row of the batch; stackalloc clears what it reserves.
            body.WriteLine(perFeature ? "int width = global::System.Math.Min(chunk, batch);" : "int width = chunk;");
            body.WriteLine(Scratch());
            if (perFeature)
            {
                body.WriteLine("for (int e = start; e < end; e++)");
                body.OpenBrace();
                body.WriteLine("for (int n0 = 0; n0 < batch; n0 += chunk)");
                body.OpenBrace();
                body.WriteLine("int len = global::System.Math.Min(chunk, batch - n0);");
            }
            else
            {
                body.WriteLine("for (int c = start; c < end; c++)");
                body.OpenBrace();
                body.WriteLine("int n0 = c * chunk;");
                body.WriteLine($"int len = global::System.Math.Min(chunk, {Literals.Int(size)} * batch - n0);");
            }

            WriteChain(rowStart);
            body.CloseBrace();
            if (perFeature)
                body.CloseBrace();
            body.CloseBrace();
        }

        if (asEpilogue)
        {
            // Any loop is elementwise over entries × samples, so a block of C maps to the same block of every value.
            body.WriteLine();
            body.WriteLine("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
            body.WriteLine("public void Run(int rowStart, int rowEnd, int columnStart, int columnEnd)");
            body.OpenBrace();
            body.WriteLine("if (rowStart >= rowEnd || columnStart >= columnEnd)");
            body.WriteLine("    return;");
            body.WriteLine("int width = global::System.Math.Min(chunk, columnEnd - columnStart);");
            body.WriteLine(Scratch());
            body.WriteLine("for (int e = rowStart; e < rowEnd; e++)");
            body.OpenBrace();
            body.WriteLine("for (int n0 = columnStart; n0 < columnEnd; n0 += chunk)");
            body.OpenBrace();
            body.WriteLine("int len = global::System.Math.Min(chunk, columnEnd - n0);");
            WriteChain("e * batch + n0");
            body.CloseBrace();
            body.CloseBrace();
            body.CloseBrace();
        }
        body.CloseBrace();
        StaticData.Add(body.ToString());

        // Long chains get shorter chunks, so a part's temporaries stay within MaxScratchValues on its stack.
        string groupChunk = members.Count * StoragePlan.Chunk <= MaxScratchValues
            ? "chunk"
            : $"global::System.Math.Min(chunk, {Literals.Int(MaxScratchValues / members.Count)})";
        string local = $"fused{Literals.Int(root)}";
        string Chain(int groupRoot) => string.Join(" → ", Plan.GroupMembers(groupRoot).Select(m => Program[m].Op));
        string followers = roots.Count > 1 ? "; with it: " + string.Join("; ", roots.Skip(1).Select(Chain)) : "";
        _w.WriteLine($"// fused{(asEpilogue ? " into the product" : "")}: {Chain(root)}{followers}");
        _w.WriteLine($"var {local} = new {typeName}<T> {{ {string.Join(", ", fields.Select(id => $"{V(id)} = {V(id)}"))}, batch = batch, chunk = {groupChunk} }};");
        return local;
    }

    private static string UnaryCall(Op op, string x, string d) => op switch
    {
        Op.Neg => $"{TP}.Negate<T>({x}, {d});",
        Op.Relu => $"{TP}.Max<T>({x}, T.Zero, {d});",
        Op.Sign => $"{Kernels}.Sign<T>({x}, {d});",
        Op.Step => $"{Kernels}.Step<T>({x}, {d});",
        // NGGen's tanh (Activations.Tanh): faster than TensorPrimitives' in float, and accurate near zero in both precisions.
        Op.Tanh => $"{Activations}.Tanh<T>({x}, {d});",
        // Not TensorPrimitives.LogP1, which computes log(x + 1) and loses small x.
        Op.Log1p => $"{Activations}.Log1p<T>({x}, {d});",
        // Not TensorPrimitives.ExpM1, which computes e^x − 1 and loses small x.
        Op.Expm1 => $"{Activations}.Expm1<T>({x}, {d});",
        _ => $"{TP}.{op}<T>({x}, {d});",
    };

    private static string BinaryCall(Op op, string a, bool aScalar, string b, bool bScalar, string d)
    {
        string name = op switch
        {
            Op.Add => "Add",
            Op.Sub => "Subtract",
            Op.Mul => "Multiply",
            Op.Div => "Divide",
            _ => "Pow",
        };
        // TensorPrimitives has (span, scalar) overloads for all five, (scalar, span) for the
        // non-commutative ones; swap operands of commutative ops instead.
        if (aScalar && op is Op.Add or Op.Mul)
            return $"{TP}.{name}<T>({b}, {a}, {d});";
        return $"{TP}.{name}<T>({a}, {b}, {d});";
    }
}
