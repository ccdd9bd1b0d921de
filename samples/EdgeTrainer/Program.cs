using NGGen.Samples.EdgeTrainer;

return EdgeTrainerApp.Run(args, Console.Out, Console.Error);
