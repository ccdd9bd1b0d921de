using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/NGGen.Bench -- --filter '*Mlp*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
