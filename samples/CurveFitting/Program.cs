// Placeholder while the sample is being written; replaced before this branch is merged.
Console.Error.WriteLine("CurveFitting: not written yet.");
return 1;
