// Placeholder while the sample is being written; replaced before this branch is merged.
Console.Error.WriteLine("DeepLinear: not written yet.");
return 1;
