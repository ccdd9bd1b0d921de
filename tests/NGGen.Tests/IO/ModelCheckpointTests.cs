using System.Buffers.Binary;
using NGGen.IO;
using NGGen.Tests.Models;

namespace NGGen.Tests.IO;

/// <summary>Checkpoints round-trip exactly, and each verification check refuses the file it exists for.</summary>
public class ModelCheckpointTests
{
    private static double[] Theta()
    {
        var theta = new double[Mlp3.ParameterCount];
        Mlp3.InitializeParameters<double>(theta, 5);
        return theta;
    }

    private static SolverState State()
    {
        var state = new SolverState("gn-cg");
        state.Scalars["damping"] = 0.1 + 0.2; // not exactly representable in decimal: exercises round-trip formatting
        state.Vectors["step"] = [1e-300, -0.0, double.Epsilon];
        return state;
    }

    [Fact]
    public void Round_trips_parameters_solver_state_and_notes_exactly()
    {
        using var dir = new TempDirectory();
        double[] theta = Theta();
        ModelCheckpoint.Save<Mlp3>(dir.File("c.safetensors"), theta, 42, State(), new Dictionary<string, string> { ["run"] = "r1" });
        var loaded = ModelCheckpoint.Load<Mlp3>(dir.File("c.safetensors"));
        Assert.Equal(theta, loaded.Theta);
        Assert.Equal(42, loaded.Iteration);
        Assert.Equal("r1", loaded.Metadata["run"]);
        Assert.Equal("Mlp3", loaded.Metadata["nggen.model"]);
        Assert.Equal(0.1 + 0.2, loaded.Solver!.Scalar("damping"));
        Assert.Equal([1e-300, -0.0, double.Epsilon], loaded.Solver.Vector("step", 3));
        Assert.True(double.IsNegative(loaded.Solver.Vector("step", 3)[1]));
        // Other tools see the parameters by name and declared shape.
        var file = SafeTensorsFile.Read(dir.File("c.safetensors"));
        var w2 = file.Find("W2")!;
        Assert.Equal([12L, 16L], w2.Shape);
        Assert.Equal(theta.AsSpan(Mlp3.Parameters[2].Offset, 12 * 16).ToArray(), file.ReadDoubles(w2));
        Assert.Equal(["c.safetensors"], dir.Names());
    }

    [Fact]
    public void Every_check_refuses_the_file_it_exists_for()
    {
        using var dir = new TempDirectory();
        byte[] good = ModelCheckpoint.Serialize<Mlp3>(Theta(), 3, State());
        CheckpointCheck Refusal(string name, byte[] bytes)
        {
            File.WriteAllBytes(dir.File(name), bytes);
            var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load<Mlp3>(dir.File(name)));
            Assert.StartsWith(dir.File(name) + ": refused (", error.Message);
            return error.Check;
        }
        Assert.Equal(CheckpointCheck.Readable, Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load<Mlp3>(dir.File("missing"))).Check);
        Assert.Equal(CheckpointCheck.Format, Refusal("truncated", good[..^3]));
        Assert.Equal(CheckpointCheck.Format, Refusal("empty", []));
        var foreign = new SafeTensorsWriter();
        foreign.AddDoubles("W1", new double[48], 16, 3);
        Assert.Equal(CheckpointCheck.Origin, Refusal("foreign", foreign.ToBytes()));
        byte[] flipped = (byte[])good.Clone();
        flipped[^9] ^= 0x01; // one bit of the last parameter-or-state value
        Assert.Equal(CheckpointCheck.Checksum, Refusal("bitflip", flipped));
        byte[] edited = (byte[])good.Clone();
        int at = IndexOf(edited, "\"nggen.iteration\":\"3\""u8) + "\"nggen.iteration\":\""u8.Length;
        edited[at] = (byte)'7'; // a metadata edit of the same length keeps the JSON valid
        Assert.Equal(CheckpointCheck.Checksum, Refusal("edited", edited));
        Assert.Equal(CheckpointCheck.Model, Refusal("other-model", ModelCheckpoint.Serialize<Line.Compiled>([1, 2], 0)));
        Assert.Equal(CheckpointCheck.Layout, Refusal("edited-model", ModelCheckpoint.Serialize<Edited.Mlp3>(new double[Edited.Mlp3.ParameterCount], 0)));
        var nan = Theta();
        nan[7] = double.NaN;
        Assert.Equal(CheckpointCheck.Parameters, Refusal("nan", ModelCheckpoint.Serialize<Mlp3>(nan, 0)));
        Assert.Equal(CheckpointCheck.SolverState, Refusal("iteration", ModelCheckpoint.Serialize<Mlp3>(Theta(), long.MaxValue)));
        Assert.Equal(CheckpointCheck.Readable, Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load<Mlp3>("")).Check);
    }

    [Fact]
    public void A_write_that_fails_verification_leaves_the_previous_file_and_no_partial()
    {
        using var dir = new TempDirectory();
        string path = dir.File("params.safetensors");
        ModelCheckpoint.Save<Mlp3>(path, Theta(), 1);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => s.Write(new byte[100]), _ => throw new InvalidOperationException("refused")));
        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["params.safetensors"], dir.Names());
    }

    [Fact]
    public void The_directory_keeps_the_newest_removes_partials_and_falls_back_past_a_corrupt_checkpoint()
    {
        using var dir = new TempDirectory();
        var checkpoints = new CheckpointDirectory(dir.Path, keep: 2);
        double[] theta = Theta();
        for (int iteration = 1; iteration <= 4; iteration++)
        {
            theta[0] = iteration;
            checkpoints.Write<Mlp3>(iteration, theta, State());
        }
        Assert.Equal(["checkpoint-00000003.safetensors", "checkpoint-00000004.safetensors"], dir.Names());
        // A killed writer's partial file, and a newest checkpoint damaged after it was written.
        File.WriteAllBytes(dir.File("checkpoint-00000005.safetensors" + AtomicFile.PartialMarker + "999"), new byte[10]);
        byte[] newest = File.ReadAllBytes(dir.File("checkpoint-00000004.safetensors"));
        newest[^1] ^= 0x80;
        File.WriteAllBytes(dir.File("checkpoint-00000004.safetensors"), newest);
        var log = new List<string>();
        var loaded = checkpoints.LoadLatest<Mlp3>(log.Add);
        Assert.Equal(3, loaded!.Iteration);
        Assert.Equal(3.0, loaded.Theta[0]);
        Assert.Equal(2, log.Count);
        Assert.Contains("incomplete write", log[0]);
        Assert.Contains("refused (checksum mismatch)", log[1]);
        Assert.Equal(["checkpoint-00000003.safetensors", "checkpoint-00000004.safetensors.rejected"], dir.Names());

        // Another model's directory is not set aside file by file: the resume stops with the reason, nothing renamed.
        var error = Assert.Throws<CheckpointException>(() => checkpoints.LoadLatest<Line.Compiled>(log.Add));
        Assert.Equal(CheckpointCheck.Model, error.Check);
        Assert.Equal(["checkpoint-00000003.safetensors", "checkpoint-00000004.safetensors.rejected"], dir.Names());
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        int at = haystack.AsSpan().IndexOf(needle);
        Assert.True(at >= 0);
        return at;
    }
}
