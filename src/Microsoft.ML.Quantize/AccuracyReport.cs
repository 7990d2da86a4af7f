using System.Globalization;
using System.Text;

namespace Microsoft.ML.Quantize;

/// <summary>Accuracy of one class for the float and the quantized model.</summary>
/// <param name="Class">Class index (the argmax position in the model's first output).</param>
/// <param name="Rows">Rows of that class in the evaluation data.</param>
/// <param name="FloatAccuracy">Float model accuracy on those rows, in percent.</param>
/// <param name="QuantizedAccuracy">Quantized model accuracy on those rows, in percent.</param>
/// <param name="FewShot">Whether the class has fewer rows than the few-shot threshold.</param>
public sealed record ClassAccuracy(int Class, int Rows, double FloatAccuracy, double QuantizedAccuracy, bool FewShot)
{
    /// <summary>Float accuracy minus quantized accuracy, in points.</summary>
    public double Drop => FloatAccuracy - QuantizedAccuracy;
}

/// <summary>Float versus quantized accuracy, overall, per class and over the few-shot classes
/// (from <see cref="OnnxQuantizer.CompareAccuracy"/>).</summary>
public sealed class AccuracyReport
{
    /// <summary>Evaluation rows.</summary>
    public int Rows { get; init; }

    /// <summary>Float model accuracy, in percent.</summary>
    public double FloatAccuracy { get; init; }

    /// <summary>Quantized model accuracy, in percent.</summary>
    public double QuantizedAccuracy { get; init; }

    /// <summary>Rows on which both models predict the same class, in percent.</summary>
    public double Agreement { get; init; }

    /// <summary>Every class present in the data, by class index.</summary>
    public IReadOnlyList<ClassAccuracy> Classes { get; init; } = [];

    /// <summary>The classes with fewer rows than the few-shot threshold, reported apart.</summary>
    public IReadOnlyList<ClassAccuracy> FewShotClasses => Classes.Where(c => c.FewShot).ToList();

    /// <summary>Float accuracy over the rows of the few-shot classes pooled, or <see langword="null"/> without such classes.</summary>
    public double? FewShotFloatAccuracy { get; init; }

    /// <summary>Quantized accuracy over the rows of the few-shot classes pooled, or <see langword="null"/> without such classes.</summary>
    public double? FewShotQuantizedAccuracy { get; init; }

    /// <summary>The class whose accuracy drops most.</summary>
    public ClassAccuracy? LargestDrop => Classes.OrderByDescending(c => c.Drop).FirstOrDefault();

    /// <summary>A readable table.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"accuracy float {FloatAccuracy:F2} %, quantized {QuantizedAccuracy:F2} %, agreement {Agreement:F2} % on {Rows} rows");
        foreach (var k in Classes)
            sb.AppendLine(c, $"class {k.Class}{(k.FewShot ? " (few-shot)" : "")}: {k.Rows} rows, float {k.FloatAccuracy:F2} %, quantized {k.QuantizedAccuracy:F2} %");
        if (FewShotFloatAccuracy is { } f)
            sb.AppendLine(c, $"few-shot classes pooled: float {f:F2} %, quantized {FewShotQuantizedAccuracy:F2} %");
        return sb.ToString();
    }
}
