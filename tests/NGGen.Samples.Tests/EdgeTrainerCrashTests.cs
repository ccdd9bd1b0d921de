using System.Diagnostics;
using System.Text.RegularExpressions;
using NGGen.IO;
using NGGen.Samples.EdgeTrainer;
using Xunit.Abstractions;

namespace NGGen.Samples.Tests;

/// <summary>
/// The trainer as a real process, killed with SIGKILL while it writes checkpoints: every resume must start from a
/// checkpoint that verifies and is no older than the last one it reported saved, and the parameters at the end must
/// equal, bit for bit, those of a run that was never interrupted.
/// </summary>
public sealed partial class EdgeTrainerCrashTests(ITestOutputHelper log) : IDisposable
{
    private const int Kills = 20;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nggen-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Killed_twenty_times_during_checkpoint_writes_it_resumes_to_the_uninterrupted_result()
    {
        Directory.CreateDirectory(_dir);
        string data = Path.Combine(_dir, "wave.csv"), checkpoints = Path.Combine(_dir, "ck");
        Assert.Equal(0, EdgeTrainerApp.Run(["make-data", data, "--rows", "128"], TextWriter.Null, TextWriter.Null));
        string[] common = ["train", "--data", data, "--iterations", "120", "--checkpoint-every", "1", "--quiet"];

        var reference = Trainer([.. common, "--checkpoint-dir", Path.Combine(_dir, "reference-ck"), "--out", Path.Combine(_dir, "reference.safetensors")], slowWrites: false);
        Assert.True(reference.ExitCode == 0, reference.Output);

        string[] resumable = [.. common, "--checkpoint-dir", checkpoints, "--resume", "--out", Path.Combine(_dir, "final.safetensors")];
        var random = new Random(2026);
        long lastSaved = 0;
        int killedMidWrite = 0;
        for (int kill = 1; kill <= Kills; kill++)
        {
            // Kill 0-13 ms after the k-th checkpoint write starts (k = 2..4; each write takes 8 chunks × 2 ms, then a
            // verify). Not the first write: in a fresh JIT process it spends longer than that compiling the writer.
            int writesBeforeKill = random.Next(2, 5), delayMs = random.Next(0, 14);
            var run = Trainer(resumable, slowWrites: true, killAtWrite: writesBeforeKill, killDelayMs: delayMs);
            Assert.True(run.Killed, $"kill {kill}: the trainer finished before it was killed:\n{run.Output}");
            long resumedFrom = ResumedIteration(run.Output);
            Assert.True(resumedFrom >= lastSaved, $"kill {kill}: resumed from iteration {resumedFrom}, but iteration {lastSaved} had been saved");
            lastSaved = Math.Max(lastSaved, run.LastSaved);

            bool partial = Directory.EnumerateFiles(checkpoints).Any(AtomicFile.IsPartial);
            killedMidWrite += partial ? 1 : 0;
            // Whatever the moment of the kill, every file under a checkpoint name is complete and verifies.
            foreach (var (iteration, file) in new CheckpointDirectory(checkpoints).List())
                Assert.Equal(iteration, ModelCheckpoint.Load<WaveMlp>(file).Iteration);
            log.WriteLine($"kill {kill}: after write {writesBeforeKill} + {delayMs} ms; resumed from {resumedFrom}, last saved {run.LastSaved}, partial file left: {partial}");
        }

        var final = Trainer(resumable, slowWrites: false);
        Assert.True(final.ExitCode == 0, final.Output);
        Assert.True(ResumedIteration(final.Output) >= lastSaved);
        Assert.Equal(ModelCheckpoint.Load<WaveMlp>(Path.Combine(_dir, "reference.safetensors")).Theta, ModelCheckpoint.Load<WaveMlp>(Path.Combine(_dir, "final.safetensors")).Theta);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "reference.safetensors")), File.ReadAllBytes(Path.Combine(_dir, "final.safetensors")));
        // The test is about kills inside writes: most of them must have left a partial file to clean up.
        Assert.True(killedMidWrite >= Kills / 2, $"only {killedMidWrite} of {Kills} kills landed inside a checkpoint write");
    }

    [Fact]
    public void The_process_exit_code_and_error_stream_carry_a_refusal()
    {
        Directory.CreateDirectory(_dir);
        var run = Trainer(["train", "--data", Path.Combine(_dir, "none.csv")], slowWrites: false);
        Assert.Equal(ExitCodes.BadData, run.ExitCode);
        Assert.Contains($"error: {Path.Combine(_dir, "none.csv")}: no such file.", run.Output);
    }

    private sealed record TrainerRun(int? ExitCode, bool Killed, long LastSaved, string Output);

    // Runs the trainer's JIT build (copied next to this test assembly) as a child process; with killAtWrite, sends
    // SIGKILL killDelayMs after the killAtWrite-th "checkpoint  writing" line.
    private static TrainerRun Trainer(string[] args, bool slowWrites, int killAtWrite = 0, int killDelayMs = 0)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EdgeTrainer.dll"));
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment[NGGen.Samples.EdgeTrainer.Trainer.ChunkPauseVariable] = slowWrites ? "2" : "0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        int writes = 0;
        long lastSaved = 0;
        bool killed = false;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            output.AppendLine(line);
            if (SavedLine().Match(line) is { Success: true } saved)
                lastSaved = long.Parse(saved.Groups[1].Value);
            if (killAtWrite > 0 && line.StartsWith("checkpoint  writing", StringComparison.Ordinal) && ++writes == killAtWrite)
            {
                Thread.Sleep(killDelayMs);
                process.Kill(); // SIGKILL on Unix
                killed = true;
                break;
            }
        }
        process.WaitForExit();
        output.Append(error.Result);
        return new TrainerRun(killed ? null : process.ExitCode, killed, lastSaved, output.ToString());
    }

    private static long ResumedIteration(string output) =>
        ResumedLine().Match(output) is { Success: true } match ? long.Parse(match.Groups[1].Value) : 0;

    [GeneratedRegex(@"^checkpoint  saved iteration (\d+)$")]
    private static partial Regex SavedLine();

    [GeneratedRegex(@"from .*checkpoint-\d+\.safetensors \(iteration (\d+)\)")]
    private static partial Regex ResumedLine();
}
