using LongTail.Samples;

// dotnet run --project samples/Samples.NeuralNetwork: the focal-loss network sample (tests/Microsoft.ML.RobustLoss.Tests runs it).
FocalLossNetwork.Run(Console.Out);
return 0;
