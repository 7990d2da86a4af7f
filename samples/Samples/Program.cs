using LongTail.Samples;

// Each sample is a static class with a Run method you can copy; the tests run them all.
string name = args.Length > 0 ? args[0] : "";
switch (name)
{
    case "smote-lightgbm":
        SmoteLightGbmCrossValidation.Run(Console.Out);
        return 0;
    case "weights-fasttree":
        ClassBalancedWeightsFastTree.Run(Console.Out);
        return 0;
    case "sweep":
        SweepFromCode.Run(Console.Out);
        return 0;
    case "conformal":
        ConformalPredictionSets.Run(Console.Out);
        return 0;
    case "quantize":
        QuantizeOnnxModel.Run(Console.Out);
        return 0;
    default:
        Console.WriteLine("Usage: dotnet run --project samples/Samples -- smote-lightgbm | weights-fasttree | sweep | conformal | quantize");
        return name.Length == 0 ? 0 : 1;
}
