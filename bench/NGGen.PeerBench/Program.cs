using NGGen.PeerBench;

// The NGGen side of bench/run-peers.sh. Usage:
//   NGGen.PeerBench --group peak|mlp|gncg|engd|fits|writes|shards|alignment [--data DIR] [--quick] [--min-seconds S]
// Writes the inputs and its own outputs as .npy under DIR/<group>/ (the peers read them and check agreement
// before timing), then prints one JSON line per timed case on stdout.
var options = PeerOptions.Parse(args);
if (options is null)
    return 2;

var groups = new Dictionary<string, Action<PeerOptions>>
{
    ["peak"] = PeakGroup.Run,
    ["mlp"] = MlpGroup.Run,
    ["gncg"] = GaussNewtonStepGroup.Run,
    ["engd"] = PoissonEngdGroup.Run,
    ["fits"] = CurveFitGroup.Run,
    // NGGen alone, not part of run-peers.sh: clearing and accumulating into a gradient against overwriting it.
    ["writes"] = GradientWriteGroup.Run,
    ["shards"] = ShardsGroup.Run,
    ["alignment"] = AlignmentGroup.Run,
};

foreach (string group in options.Groups)
{
    if (!groups.TryGetValue(group, out var run))
    {
        Console.Error.WriteLine($"Unknown group '{group}'. Known: {string.Join(", ", groups.Keys)}.");
        return 2;
    }
    run(options);
}
return 0;
