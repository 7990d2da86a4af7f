using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.RobustLoss.Tests;

/// <summary>Every loss and its gradient against PyTorch (Fixtures/make_loss_fixtures.py, float64), to 1e-5.</summary>
public sealed class LossFixtureTests
{
    private const double Tolerance = 1e-5;
    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "loss_fixtures.json"));
        var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static TheoryData<string> ClassificationCases => new()
    {
        "ce", "ce_smoothing", "weighted_ce_inverse", "weighted_ce_effective", "focal", "focal_alpha", "cb_focal", "ldam", "ldam_drw",
        "balanced_softmax", "logit_adjusted", "equalization",
    };

    public static TheoryData<string> BinaryCases => new() { "bce", "binary_focal", "binary_focal_noalpha", "asl" };

    public static TheoryData<string> RegressionCases => new() { "squared", "huber", "pseudo_huber", "tukey", "log_cosh", "quantile" };

    [Theory]
    [MemberData(nameof(ClassificationCases))]
    public void ClassificationLossMatchesPyTorch(string name)
    {
        var c = Cases.Value[name];
        var p = c.GetProperty("params");
        int[] counts = Ints(c.GetProperty("counts"));
        using var scope = NewDisposeScope();
        Tensor z = Matrix(c.GetProperty("logits")).requires_grad_(true);
        Tensor y = torch.tensor(Ints(c.GetProperty("targets")).Select(v => (long)v).ToArray());
        Tensor Vec(double[] v) => torch.tensor(v, dtype: ScalarType.Float64);
        Tensor loss = name switch
        {
            "ce" => LossFunctions.CrossEntropy(z, y),
            "ce_smoothing" => LossFunctions.CrossEntropy(z, y, smoothing: Num(p, "smoothing")),
            "weighted_ce_inverse" => LossFunctions.CrossEntropy(z, y, Vec(LossFunctions.ClassWeights(counts, ClassWeighting.InverseFrequency, 0))),
            "weighted_ce_effective" => LossFunctions.CrossEntropy(z, y, Vec(LossFunctions.ClassWeights(counts, ClassWeighting.EffectiveNumber, Num(p, "beta")))),
            "focal" => LossFunctions.Focal(z, y, Num(p, "gamma")),
            "focal_alpha" => LossFunctions.Focal(z, y, Num(p, "gamma"), Vec(Doubles(p.GetProperty("alpha")))),
            "cb_focal" => LossFunctions.Focal(z, y, Num(p, "gamma"), Vec(LossFunctions.ClassWeights(counts, ClassWeighting.EffectiveNumber, Num(p, "beta")))),
            "ldam" => LossFunctions.Ldam(z, y, Vec(LossFunctions.LdamMargins(counts, Num(p, "max_margin"))), Num(p, "scale")),
            "ldam_drw" => LossFunctions.Ldam(z, y, Vec(LossFunctions.LdamMargins(counts, Num(p, "max_margin"))), Num(p, "scale"),
                Vec(LossFunctions.ClassWeights(counts, ClassWeighting.EffectiveNumber, Num(p, "beta")))),
            "balanced_softmax" => LossFunctions.OffsetCrossEntropy(z, y, Vec(counts.Select(n => Math.Log(n)).ToArray())),
            "logit_adjusted" => LossFunctions.OffsetCrossEntropy(z, y, Vec(counts.Select(n => Num(p, "tau") * Math.Log((double)n / counts.Sum())).ToArray())),
            "equalization" => LossFunctions.Equalization(z, y, Vec(counts.Select(n => (double)n / counts.Sum() < Num(p, "threshold") ? 1.0 : 0.0).ToArray()),
                Matrix(p.GetProperty("beta"))),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name),
        };
        AssertMatches(c, loss, z, "grad");
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryLossMatchesPyTorch(string name)
    {
        var c = Cases.Value[name];
        var p = c.GetProperty("params");
        using var scope = NewDisposeScope();
        Tensor z = torch.tensor(Doubles(c.GetProperty("logits")), dtype: ScalarType.Float64).requires_grad_(true);
        Tensor y = torch.tensor(Doubles(c.GetProperty("targets")), dtype: ScalarType.Float64);
        Tensor loss = name switch
        {
            "bce" => LossFunctions.BinaryCrossEntropy(z, y),
            "binary_focal" or "binary_focal_noalpha" => LossFunctions.BinaryFocal(z, y, Num(p, "gamma"), Num(p, "alpha")),
            "asl" => LossFunctions.Asymmetric(z, y, Num(p, "gamma_pos"), Num(p, "gamma_neg"), Num(p, "clip")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name),
        };
        AssertMatches(c, loss, z, "grad");
    }

    [Theory]
    [MemberData(nameof(RegressionCases))]
    public void RegressionLossMatchesPyTorch(string name)
    {
        var c = Cases.Value[name];
        var p = c.GetProperty("params");
        using var scope = NewDisposeScope();
        var predictions = c.GetProperty("predictions");
        Tensor f = (predictions[0].ValueKind == JsonValueKind.Array ? Matrix(predictions) : torch.tensor(Doubles(predictions), dtype: ScalarType.Float64)).requires_grad_(true);
        Tensor y = torch.tensor(Doubles(c.GetProperty("targets")), dtype: ScalarType.Float64);
        Tensor loss = name switch
        {
            "squared" => LossFunctions.Squared(f, y),
            "huber" => LossFunctions.Huber(f, y, Num(p, "delta")),
            "pseudo_huber" => LossFunctions.PseudoHuber(f, y, Num(p, "delta")),
            "tukey" => LossFunctions.TukeyBiweight(f, y, Num(p, "c")),
            "log_cosh" => LossFunctions.LogCosh(f, y),
            "quantile" => LossFunctions.Pinball(f, y, torch.tensor(Doubles(p.GetProperty("quantiles")), dtype: ScalarType.Float64)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name),
        };
        AssertMatches(c, loss, f, "grad");
    }

    [Fact]
    public void EveryFixtureCaseIsTested()
    {
        var tested = new[] { ClassificationCases, BinaryCases, RegressionCases }.SelectMany(d => ((IEnumerable<object[]>)d).Select(r => (string)r[0])).ToHashSet();
        Assert.Equal(Cases.Value.Keys.OrderBy(k => k), tested.OrderBy(k => k));
    }

    private static void AssertMatches(JsonElement c, Tensor loss, Tensor input, string gradName)
    {
        double expected = c.GetProperty("loss").GetDouble();
        double actual = loss.item<double>();
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{c.GetProperty("name")}: loss {actual} vs PyTorch {expected}");
        loss.backward();
        double[] grad = input.grad!.contiguous().data<double>().ToArray();
        var g = c.GetProperty(gradName);
        double[] expectedGrad = g[0].ValueKind == JsonValueKind.Array ? g.EnumerateArray().SelectMany(Doubles).ToArray() : Doubles(g);
        Assert.Equal(expectedGrad.Length, grad.Length);
        for (int i = 0; i < grad.Length; i++)
            Assert.True(Math.Abs(expectedGrad[i] - grad[i]) <= Tolerance, $"{c.GetProperty("name")}: grad[{i}] {grad[i]} vs PyTorch {expectedGrad[i]}");
        Assert.Contains(grad, v => Math.Abs(v) > 1e-4); // a gradient that vanished everywhere would be a broken loss
    }

    private static Tensor Matrix(JsonElement rows)
    {
        var data = rows.EnumerateArray().Select(Doubles).ToArray();
        return torch.tensor(data.SelectMany(r => r).ToArray(), dtype: ScalarType.Float64).reshape(data.Length, data[0].Length);
    }

    private static double Num(JsonElement p, string name) => p.GetProperty(name).GetDouble();
    private static double[] Doubles(JsonElement a) => a.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    private static int[] Ints(JsonElement a) => a.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
