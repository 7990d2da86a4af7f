using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.Quantize;

namespace LongTail.Samples;

/// <summary>
/// Post-training int8 quantization of a float ONNX model, scored in ML.NET: the quantized model is calibrated on a few
/// hundred rows, then compared with the float model for size and agreement of the arg-max class.
/// </summary>
public static class QuantizeOnnxModel
{
    private sealed class Row
    {
        [VectorType(64)] public float[] x { get; set; } = [];
    }

    public static (double SizeRatio, double Agreement) Run(TextWriter output)
    {
        var ml = new MLContext(seed: 1);
        // Stands in for your trained model: a 64 -> 256 -> 256 -> 10 MLP written with the pack's ONNX writer.
        string floatPath = Path.Combine(Path.GetTempPath(), $"mlp-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(floatPath, Mlp());
        try
        {
            var random = new Random(1);
            var rows = Enumerable.Range(0, 1200).Select(_ => new Row { x = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray() }).ToList();
            var calibration = ml.Data.LoadFromEnumerable(rows.Take(200));
            var test = ml.Data.LoadFromEnumerable(rows.Skip(200));

            // Static QDQ int8: activation ranges from the calibration rows, per-channel weight scales.
            var estimator = ml.Transforms.QuantizeOnnxModel(floatPath, QuantizationMode.Static);
            var quantized = estimator.Fit(calibration);
            var report = estimator.LastReport!;

            var floatModel = ml.Transforms.ApplyOnnxModel("y", "x", floatPath).Fit(calibration);
            int[] ArgMax(ITransformer model) => model.Transform(test).GetColumn<float[]>("y").Select(y => Array.IndexOf(y, y.Max())).ToArray();
            int[] floatClasses = ArgMax(floatModel), quantizedClasses = ArgMax(quantized);
            double agreement = floatClasses.Zip(quantizedClasses).Count(p => p.First == p.Second) / (double)floatClasses.Length;

            output.WriteLine($"Float model {report.InputSizeBytes / 1024.0:0} KiB, int8 model {report.OutputSizeBytes / 1024.0:0} KiB ({report.SizeRatio:P0}); " +
                $"same arg-max class on {agreement:P1} of {floatClasses.Length} rows");
            return (report.SizeRatio, agreement);
        }
        finally
        {
            File.Delete(floatPath);
        }
    }

    private static byte[] Mlp(int input = 64, int hidden = 256, int classes = 10)
    {
        var random = new Random(2);
        float[] Weights(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        var g = new OnnxGraphBuilder("mlp", 13);
        g.AddFloatInput("x", input);
        g.AddInitializer("W1", Weights(hidden * input, 1 / Math.Sqrt(input)), hidden, input);
        g.AddInitializer("b1", Weights(hidden, 0.1), hidden);
        g.AddInitializer("W2", Weights(hidden * hidden, 1 / Math.Sqrt(hidden)), hidden, hidden);
        g.AddInitializer("b2", Weights(hidden, 0.1), hidden);
        g.AddInitializer("W3", Weights(classes * hidden, 1 / Math.Sqrt(hidden)), classes, hidden);
        g.AddInitializer("b3", Weights(classes, 0.1), classes);
        g.AddNode("Gemm", ["x", "W1", "b1"], "h1", OnnxAttribute.Int("transB", 1));
        g.AddNode("Relu", ["h1"], "a1");
        g.AddNode("Gemm", ["a1", "W2", "b2"], "h2", OnnxAttribute.Int("transB", 1));
        g.AddNode("Relu", ["h2"], "a2");
        g.AddNode("Gemm", ["a2", "W3", "b3"], "y", OnnxAttribute.Int("transB", 1));
        g.AddFloatOutput("y", classes);
        return g.ToBytes();
    }
}
