using Microsoft.ML.Quantize.Calibration;

namespace Microsoft.ML.Quantize.Tests;

public class CalibrationTests
{
    private static double[] Histogram(Func<Random, double> sample, int n, float lo, float hi, int bins = 2048)
    {
        var rng = new Random(3);
        var h = new double[bins];
        for (int i = 0; i < n; i++)
        {
            double v = sample(rng);
            h[Math.Clamp((int)((v - lo) / (hi - lo) * bins), 0, bins - 1)]++;
        }
        return h;
    }

    [Fact]
    public void PercentileDropsTheTails()
    {
        var h = Histogram(r => r.NextDouble() * 2 - 1, 100_000, -1, 1);
        var range = RangeSearch.Percentile(h, -1, 1, 99);
        Assert.InRange(range.Max, 0.97, 0.99);
        Assert.InRange(range.Min, -0.99, -0.97);
    }

    [Fact]
    public void EntropyAndMseKeepUniformRangesAndClipHeavyTails()
    {
        var uniform = Histogram(r => r.NextDouble(), 100_000, 0, 1);
        Assert.True(RangeSearch.Entropy(uniform, 0, 1, 256, 128).Max > 0.95);
        Assert.True(RangeSearch.Mse(uniform, 0, 1, 256, 128).Max > 0.95);

        // |Laplace| with one far outlier at 60: both searches clip well below the maximum.
        double Laplace(Random r) => r.NextDouble() < 1e-5 ? 60 : -Math.Log(1 - r.NextDouble());
        var heavy = Histogram(Laplace, 200_000, 0, 60);
        var entropy = RangeSearch.Entropy(heavy, 0, 60, 256, 128);
        var mse = RangeSearch.Mse(heavy, 0, 60, 256, 128);
        Assert.InRange(entropy.Max, 5, 20);
        Assert.Equal(0f, entropy.Min);
        // MSE weighs the lone outlier's squared clipping error against rounding noise on 200,000 values: it clips less.
        Assert.InRange(mse.Max, entropy.Max, 55);

        // Without the outlier (range = the sample maximum) MSE clips the Laplace tail too.
        var light = Histogram(r => -Math.Log(1 - r.NextDouble()), 200_000, 0, 13);
        Assert.InRange(RangeSearch.Mse(light, 0, 13, 256, 128).Max, 5, 12.5);
    }

    [Fact]
    public void MovingAverageMinMaxGivesNarrowerRangesThanExtremes()
    {
        var ml = new MLContext(1);
        float[] x = TestModels.Random(256 * 32, 2);
        x[5] = 40f; // one outlier in the first batch
        var data = DataViews.Vectors(ml, "x", x, 32);
        var model = Microsoft.ML.LongTail.Onnx.Proto.ModelProto.Parser.ParseFrom(TestModels.Mlp());
        var inputs = ModelInput.Of(model.Graph, null, data.Schema);
        var extremes = Calibrator.Calibrate(model, ["x"], CalibrationData.FromDataView(data, inputs, new OnnxQuantizationOptions()), new OnnxQuantizationOptions(), out int rows);
        var averaged = Calibrator.Calibrate(model, ["x"], CalibrationData.FromDataView(data, inputs, new OnnxQuantizationOptions()),
            new OnnxQuantizationOptions { MovingAverage = true, MovingAverageConstant = 0.5f }, out _);
        Assert.Equal(256, rows);
        Assert.Equal(40f, extremes["x"].Max);
        Assert.True(averaged["x"].Max < 2f);
    }
}
