using System.Buffers.Binary;
using System.Text;
using NGGen.IO;
using NGGen.Samples.EdgeTrainer;

namespace NGGen.Samples.Tests;

/// <summary>The edge trainer's command line on good and hostile input: every malformed file and absurd option gets its
/// exit code and a message that names the file and place or the option, and leaves no output behind.</summary>
public sealed class EdgeTrainerInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nggen-edge-" + Guid.NewGuid().ToString("N"));

    public EdgeTrainerInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string FilePath(string name) => Path.Combine(_dir, name);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = EdgeTrainerApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Exp_decay_trained_on_noise_free_data_recovers_the_generating_parameters()
    {
        // make-data draws y = 2.5·exp(−1.3x) + 0.5: the least-squares optimum of noise-free data is exactly (2.5, 1.3, 0.5).
        Assert.Equal(0, Run("make-data", FilePath("decay.npy"), "--model", "exp-decay", "--rows", "64", "--noise", "0").Code);
        foreach (string solver in new[] { "gn-cg", "lm" })
        {
            var (code, output, error) = Run("train", "--data", FilePath("decay.npy"), "--model", "exp-decay", "--solver", solver, "--iterations", "60",
                "--quiet", "--out", FilePath("decay.safetensors"));
            Assert.True(code == 0, error);
            Assert.Contains("done:", output);
            var theta = ModelCheckpoint.Load<ExpDecay.Compiled>(FilePath("decay.safetensors")).Theta;
            Assert.Equal(2.5, theta[0], 1e-6);
            Assert.Equal(1.3, theta[1], 1e-6);
            Assert.Equal(0.5, theta[2], 1e-6);
        }
        var inspect = Run("inspect", FilePath("decay.safetensors"), "--model", "exp-decay");
        Assert.Equal(0, inspect.Code);
        Assert.Contains("verified for ExpDecay", inspect.Output);
    }

    [Fact]
    public void Predict_applies_a_parameter_file_as_the_closed_form_does()
    {
        // Parameters written directly (a, b, c) = (2.5, 1.3, 0.5): predictions must be 2.5·exp(−1.3x) + 0.5.
        ModelCheckpoint.Save<ExpDecay.Compiled>(FilePath("p.safetensors"), [2.5, 1.3, 0.5], 0);
        double[] x = [0, 0.25, 1, 3.5];
        Text("x.csv", "x\n" + string.Join("\n", x.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "\n");
        var (code, output, error) = Run("predict", "--model", "exp-decay", "--params", FilePath("p.safetensors"), "--data", FilePath("x.csv"), "--out", FilePath("y.npy"));
        Assert.True(code == 0, error);
        Assert.Contains("wrote 4 predictions", output);
        var predicted = NpyFile.Read(FilePath("y.npy"));
        for (int s = 0; s < x.Length; s++)
            Assert.Equal(2.5 * Math.Exp(-1.3 * x[s]) + 0.5, predicted[s, 0], 1e-14);
        // With targets after the inputs, the RMSE against them is reported: targets off by exactly 0.1 give 0.1.
        Text("xy.csv", "x,y\n" + string.Join("\n", x.Select(v => FormattableString.Invariant($"{v:R},{2.5 * Math.Exp(-1.3 * v) + 0.5 + 0.1:R}"))) + "\n");
        var withTargets = Run("predict", "--model", "exp-decay", "--params", FilePath("p.safetensors"), "--data", FilePath("xy.csv"), "--out", FilePath("y.csv"));
        Assert.Equal(0, withTargets.Code);
        Assert.Contains("RMSE against the file's targets 1.0000E-001", withTargets.Output);
        Assert.Equal(predicted.Values, CsvTable.Read(FilePath("y.csv")).Column("prediction"));
    }

    [Fact]
    public void Csv_and_npy_of_the_same_data_train_to_the_same_parameters()
    {
        Assert.Equal(0, Run("make-data", FilePath("wave.csv"), "--rows", "96").Code);
        Assert.Equal(0, Run("make-data", FilePath("wave.npy"), "--rows", "96").Code);
        Assert.Equal(0, Run("train", "--data", FilePath("wave.csv"), "--iterations", "5", "--quiet", "--out", FilePath("a.safetensors")).Code);
        Assert.Equal(0, Run("train", "--data", FilePath("wave.npy"), "--iterations", "5", "--quiet", "--out", FilePath("b.safetensors")).Code);
        Assert.Equal(ModelCheckpoint.Load<WaveMlp>(FilePath("a.safetensors")).Theta, ModelCheckpoint.Load<WaveMlp>(FilePath("b.safetensors")).Theta);
    }

    /// <summary>A hostile input: files to create, the command, the exit code, and fragments the message must hold.</summary>
    public sealed record Hostile(string Kind, Action<EdgeTrainerInputTests> Prepare, string[] Args, int Code, params string[] Message)
    {
        public override string ToString() => Kind;
    }

    private static byte[] Npy(string descr, string shape, byte[] data)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = new byte[padded];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(padded - 10));
        Encoding.ASCII.GetBytes(dict).CopyTo(header, 10);
        header.AsSpan(10 + dict.Length, padded - 11 - dict.Length).Fill((byte)' ');
        header[^1] = (byte)'\n';
        return [.. header, .. data];
    }

    private static byte[] Doubles(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }

    private void Text(string name, string text) => File.WriteAllText(FilePath(name), text);

    private void Bytes(string name, byte[] bytes) => File.WriteAllBytes(FilePath(name), bytes);

    private void GoodData() => Text("good.csv", "x1,x2,y\n0.1,0.2,0.3\n-0.5,0.5,0.0\n0.9,-0.1,0.2\n");

    private void Parameters(string name, string model)
    {
        Text("p.csv", model == "wave-mlp" ? "x1,x2,y\n0.1,0.2,0.3\n-0.5,0.5,0.0\n" : "x,y\n0,3\n1,1.3\n2,0.7\n");
        Assert.Equal(0, Run("train", "--data", FilePath("p.csv"), "--model", model, "--iterations", "1", "--quiet", "--out", FilePath(name)).Code);
        File.Delete(FilePath("p.csv"));
    }

    private void TrainedCheckpoint(string solver)
    {
        GoodData();
        Assert.Equal(0, Run("train", "--data", FilePath("good.csv"), "--solver", solver, "--iterations", "2", "--quiet", "--checkpoint-dir", FilePath("ck")).Code);
    }

    public static TheoryData<Hostile> HostileInputs()
    {
        string[] Train(string data, params string[] more) => ["train", "--data", data, "--quiet", "--out", "OUT/params.safetensors", .. more];
        return new TheoryData<Hostile>
        {
            new("missing data file", _ => { }, Train("IN/none.csv"), 3, "IN/none.csv", "no such file"),
            new("empty csv", t => t.Text("e.csv", ""), Train("IN/e.csv"), 3, "IN/e.csv: the file is empty"),
            new("header without rows", t => t.Text("h.csv", "x1,x2,y\n"), Train("IN/h.csv"), 3, "IN/h.csv", "no data rows"),
            new("ragged row", t => t.Text("r.csv", "x1,x2,y\n1,2,3\n4,5\n"), Train("IN/r.csv"), 3, "IN/r.csv, line 3, row 2", "2 fields, but the header has 3"),
            new("text in a number field", t => t.Text("t.csv", "x1,x2,y\n1,abc,3\n"), Train("IN/t.csv"), 3, "IN/t.csv, line 2, row 1, column 2 ('x2')", "'abc' is not a number"),
            new("NaN in csv", t => t.Text("n.csv", "x1,x2,y\n1,2,3\n1,2,nan\n"), Train("IN/n.csv"), 3, "IN/n.csv, line 3, row 2, column 3 ('y')", "not a finite number"),
            new("Inf in csv", t => t.Text("i.csv", "x1,x2,y\n1,-inf,3\n"), Train("IN/i.csv"), 3, "IN/i.csv, line 2, row 1, column 2 ('x2')", "not a finite number"),
            new("wrong number of columns", t => t.Text("w.csv", "a,b,c,d\n1,2,3,4\n"), Train("IN/w.csv"), 3, "IN/w.csv: 4 columns (a, b, c, d)", "wave-mlp takes 2 inputs and 1 target: 3 columns"),
            new("wrong shape for the model in npy", t => t.Bytes("s.npy", Npy("<f8", "(2, 2)", Doubles(1, 2, 3, 4))), Train("IN/s.npy"), 3, "IN/s.npy: 2 columns", "3 columns"),
            new("truncated npy", t => t.Bytes("c.npy", Npy("<f8", "(2, 3)", Doubles(1, 2, 3, 4, 5))), Train("IN/c.npy"), 3, "IN/c.npy: truncated", "needs 48 bytes of data, the file has 40"),
            new("integer dtype npy", t => t.Bytes("d.npy", Npy("<i8", "(1, 3)", Doubles(1, 2, 3))), Train("IN/d.npy"), 3, "IN/d.npy", "dtype '<i8' is not supported"),
            new("three-dimensional npy", t => t.Bytes("3.npy", Npy("<f8", "(1, 1, 3)", Doubles(1, 2, 3))), Train("IN/3.npy"), 3, "IN/3.npy", "3 dimensions"),
            new("NaN in npy", t => t.Bytes("nan.npy", Npy("<f8", "(2, 3)", Doubles(1, 2, 3, 4, double.NaN, 6))), Train("IN/nan.npy"), 3, "IN/nan.npy, row 2, column 2", "NaN is not a finite number"),
            new("npy shape whose size overflows", t => t.Bytes("o.npy", Npy("<f8", "(6148914691236517206, 3)", Doubles(1, 2))), Train("IN/o.npy"), 3, "IN/o.npy", "more values than NGGen reads"),
            new("not an npy file", t => t.Text("x.npy", "x1,x2,y\n1,2,3\n"), Train("IN/x.npy"), 3, "IN/x.npy", "not a NumPy .npy file"),
            new("unknown data format", t => t.Text("d.txt", "1 2 3\n"), Train("IN/d.txt"), 3, "IN/d.txt", "unknown data format '.txt'"),
            new("parameter file of another model", t => { t.GoodData(); t.Parameters("decay.safetensors", "exp-decay"); },
                Train("IN/good.csv", "--init", "IN/decay.safetensors"), 4, "IN/decay.safetensors: refused (written for another model)", "'ExpDecay', not 'WaveMlp'"),
            new("corrupt parameter file", t =>
                {
                    t.GoodData();
                    t.Parameters("wave.safetensors", "wave-mlp");
                    byte[] bytes = File.ReadAllBytes(t.FilePath("wave.safetensors"));
                    bytes[^20] ^= 0x10;
                    t.Bytes("wave.safetensors", bytes);
                }, Train("IN/good.csv", "--init", "IN/wave.safetensors"), 4, "IN/wave.safetensors: refused (checksum mismatch)"),
            new("truncated parameter file", t =>
                {
                    t.GoodData();
                    t.Parameters("wave.safetensors", "wave-mlp");
                    t.Bytes("wave.safetensors", File.ReadAllBytes(t.FilePath("wave.safetensors"))[..^100]);
                }, Train("IN/good.csv", "--init", "IN/wave.safetensors"), 4, "IN/wave.safetensors: refused (not a valid safetensors file)", "truncated"),
            new("safetensors from another tool", t =>
                {
                    t.GoodData();
                    var writer = new SafeTensorsWriter();
                    writer.AddDoubles("W1", new double[32], 16, 2);
                    t.Bytes("hf.safetensors", writer.ToBytes());
                }, Train("IN/good.csv", "--init", "IN/hf.safetensors"), 4, "IN/hf.safetensors: refused (not an NGGen checkpoint)"),
            new("resume with another solver", t => t.TrainedCheckpoint("gn-cg"),
                Train("IN/good.csv", "--solver", "adam", "--checkpoint-dir", "IN/ck", "--resume"), 4, "checkpoint-00000002.safetensors: written by --solver gn-cg"),
            new("checkpoint directory of another model", t =>
                {
                    t.Text("d.csv", "x,y\n0,3\n1,1.3\n2,0.7\n");
                    Assert.Equal(0, Run("train", "--data", t.FilePath("d.csv"), "--model", "exp-decay", "--iterations", "2", "--quiet", "--checkpoint-dir", t.FilePath("ck")).Code);
                    t.GoodData();
                }, Train("IN/good.csv", "--checkpoint-dir", "IN/ck", "--resume"), 4, "checkpoint-00000002.safetensors: refused (written for another model)", "use another --checkpoint-dir"),
            new("resume on other data", t =>
                {
                    t.TrainedCheckpoint("adam");
                    t.Text("good.csv", "x1,x2,y\n0.1,0.2,0.3\n-0.5,0.5,0.0\n0.9,-0.1,0.25\n");
                }, Train("IN/good.csv", "--solver", "adam", "--checkpoint-dir", "IN/ck", "--resume"), 4, "written while training on data with CRC-32C"),
            new("negative iterations", t => t.GoodData(), Train("IN/good.csv", "--iterations", "-5"), 2, "option '--iterations' is -5; it must be between 1 and 10000000"),
            new("non-numeric iterations", t => t.GoodData(), Train("IN/good.csv", "--iterations", "ten"), 2, "option '--iterations' takes an integer, got 'ten'"),
            new("NaN learning rate", t => t.GoodData(), Train("IN/good.csv", "--solver", "adam", "--learning-rate", "NaN"), 2, "option '--learning-rate' takes a finite number, got 'NaN'"),
            new("negative damping", t => t.GoodData(), Train("IN/good.csv", "--damping", "-1"), 2, "option '--damping' is -1; it must be greater than 0"),
            new("option of another solver", t => t.GoodData(), Train("IN/good.csv", "--learning-rate", "0.1"), 2, "option '--learning-rate' applies to --solver adam, not gn-cg"),
            new("unknown solver", t => t.GoodData(), Train("IN/good.csv", "--solver", "sgd"), 2, "option '--solver' is 'sgd'; choose one of gn-cg, adam, lm"),
            new("unknown option", t => t.GoodData(), Train("IN/good.csv", "--epochs", "3"), 2, "unknown option '--epochs' for 'train'"),
            new("option without its value", t => t.GoodData(), ["train", "--data", "IN/good.csv", "--iterations"], 2, "option '--iterations' needs a value"),
            new("option given twice", t => t.GoodData(), Train("IN/good.csv", "--seed", "1", "--seed", "2"), 2, "option '--seed' is given twice"),
            new("zero checkpoint interval", t => t.GoodData(), Train("IN/good.csv", "--checkpoint-dir", "OUT/ck", "--checkpoint-every", "0"), 2, "option '--checkpoint-every' is 0"),
            new("resume without a checkpoint directory", t => t.GoodData(), Train("IN/good.csv", "--resume"), 2, "option '--resume' needs --checkpoint-dir"),
            new("output into a missing directory", t => t.GoodData(), ["train", "--data", "IN/good.csv", "--out", "OUT/no/such/dir/p.safetensors"], 2, "option '--out': the directory", "does not exist"),
            new("unknown model", t => t.GoodData(), Train("IN/good.csv", "--model", "resnet"), 2, "option '--model' is 'resnet'; choose one of wave-mlp, exp-decay"),
            new("unknown command", _ => { }, ["fit", "--data", "IN/good.csv"], 2, "unknown command 'fit'"),
            new("predictions from data with the wrong columns", t => { t.GoodData(); t.Parameters("wave.safetensors", "wave-mlp"); t.Text("one.csv", "x\n1\n"); },
                ["predict", "--params", "IN/wave.safetensors", "--data", "IN/one.csv", "--out", "OUT/y.csv"], 3, "IN/one.csv: 1 columns (x), but wave-mlp takes 2 inputs"),
            new("predictions with another model's parameters", t => { t.GoodData(); t.Parameters("decay.safetensors", "exp-decay"); },
                ["predict", "--params", "IN/decay.safetensors", "--data", "IN/good.csv", "--out", "OUT/y.csv"], 4, "refused (written for another model)"),
            new("empty output name", t => t.GoodData(), ["train", "--data", "IN/good.csv", "--out", ""], 2, "option '--out' has an empty value"),
            new("checkpoint directory under a file", t => t.GoodData(), Train("IN/good.csv", "--checkpoint-dir", "IN/good.csv/ck"), 5, "--checkpoint-dir", "cannot be created"),
            new("used checkpoint directory without --resume", t => t.TrainedCheckpoint("gn-cg"), Train("IN/good.csv", "--checkpoint-dir", "IN/ck"), 2,
                "already holds checkpoints (the newest is of iteration 2); pass --resume"),
            new("resume with another learning rate", t => t.TrainedCheckpoint("adam"),
                Train("IN/good.csv", "--solver", "adam", "--learning-rate", "0.5", "--checkpoint-dir", "IN/ck", "--resume"), 4, "trained with learning-rate=0.01; this run has learning-rate=0.5"),
            new("make-data into a directory", t => Directory.CreateDirectory(t.FilePath("d.csv")), ["make-data", "IN/d.csv"], 2, "is a directory"),
        };
    }

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public void Hostile_input_gets_its_exit_code_a_message_that_names_it_and_leaves_no_output(Hostile hostile)
    {
        hostile.Prepare(this);
        string output = Path.Combine(_dir, "out");
        Directory.CreateDirectory(output);
        var before = Snapshot();
        string[] args = hostile.Args.Select(a => a.Replace("IN/", _dir + "/").Replace("OUT/", output + "/")).ToArray();
        var (code, _, error) = Run(args);
        Assert.Equal(hostile.Code, code);
        Assert.StartsWith("error: ", error);
        foreach (string fragment in hostile.Message)
            Assert.Contains(fragment.Replace("IN/", _dir + "/").Replace("OUT/", output + "/"), error);
        Assert.Equal(before, Snapshot());
    }

    // Every file under the test directory with its length: a failed command must not add, remove or change any.
    private string[] Snapshot() =>
        Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).Select(f => $"{f} {new FileInfo(f).Length}").Order(StringComparer.Ordinal).ToArray();
}
