using Microsoft.ML.LongTail.Evaluation;
using ScottPlot;

namespace LongTail.Cli;

/// <summary>The report's pictures, drawn with ScottPlot and saved as PNG.</summary>
internal static class Charts
{
    private const int Width = 800, Height = 500;

    /// <summary>Recall of each class on the held-out rows, classes in training-size order, coloured by group.</summary>
    public static void RecallBars(ImbalancedClassificationMetrics metrics, IReadOnlyList<(string Name, int Count)> classesBySize, string path)
    {
        var plot = new Plot();
        var byName = metrics.PerClass.ToDictionary(p => p.ClassName);
        var classes = classesBySize.Where(c => byName.ContainsKey(c.Name)).ToArray();
        var bars = classes.Select((c, i) => new Bar
        {
            Position = i,
            Value = byName[c.Name].Recall,
            FillColor = c.Count > Diagnosis.ManyShot ? Colors.SteelBlue : c.Count >= Diagnosis.FewShot ? Colors.Orange : Colors.Crimson,
            Label = $"{byName[c.Name].Recall:0.00}",
        }).ToArray();
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, classes.Length).Select(i => (double)i).ToArray(),
            classes.Select(c => $"{Short(c.Name)}\n(n={c.Count})").ToArray());
        plot.Axes.SetLimits(-0.6, classes.Length - 0.4, 0, 1.1);
        plot.Title($"Recall per class (held out); balanced accuracy {metrics.BalancedAccuracy:0.000}");
        plot.YLabel("recall");
        plot.XLabel("class (training rows); blue: head, orange: medium, red: tail");
        plot.SavePng(path, Width, Height);
    }

    /// <summary>The confusion matrix, each row divided by its total (so the diagonal is the recall), with counts.</summary>
    public static void ConfusionHeatmap(ImbalancedClassificationMetrics metrics, string path)
    {
        var names = metrics.PerClass.Select(p => p.ClassName).ToArray();
        var m = metrics.ConfusionMatrix;
        int k = names.Length;
        var values = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            double total = m[i].Sum();
            for (int j = 0; j < k; j++)
                values[i, j] = total == 0 ? 0 : m[i][j] / total;
        }
        var plot = new Plot();
        // One rectangle per cell (true class i on row k - 1 - i, from the top), coloured by the row share.
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double y = k - 1 - i;
                var cell = plot.Add.Rectangle(j - 0.5, j + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = colormap.GetColor(values[i, j]);
                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
            }
        }
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                var text = plot.Add.Text(m[i][j].ToString(), j, k - 1 - i);
                text.LabelFontSize = k > 12 ? 9 : 14;
                text.LabelFontColor = values[i, j] > 0.5 ? Colors.Black : Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        double[] positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names.Select(Short).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names.Reverse().Select(Short).ToArray());
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.Title("Confusion matrix (held out): colour = share of the true row, text = rows");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        plot.SavePng(path, Width, Height + 100);
    }

    /// <summary>Reliability diagram: accuracy against mean confidence per confidence bin, with the diagonal.</summary>
    public static void Reliability(ImbalancedClassificationMetrics metrics, string path)
    {
        var bins = metrics.CalibrationBins.Where(b => b.Count > 0 && b.MeanConfidence.HasValue && b.Accuracy.HasValue).ToArray();
        var plot = new Plot();
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LineColor = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "perfect calibration";
        if (bins.Length > 0)
        {
            var bars = bins.Select(b => new Bar
            {
                Position = (b.LowerBound + b.UpperBound) / 2,
                Value = b.Accuracy!.Value,
                Size = (b.UpperBound - b.LowerBound) * 0.9,
                FillColor = Colors.SteelBlue.WithAlpha(0.5),
            }).ToArray();
            plot.Add.Bars(bars);
            var scatter = plot.Add.ScatterPoints(bins.Select(b => b.MeanConfidence!.Value).ToArray(), bins.Select(b => b.Accuracy!.Value).ToArray());
            scatter.LegendText = "accuracy per bin";
            scatter.MarkerSize = 8;
            scatter.Color = Colors.Crimson;
        }
        plot.Axes.SetLimits(0, 1, 0, 1.05);
        string ece = metrics.ExpectedCalibrationError is { } e ? $"; expected calibration error {e:0.000}" : "";
        plot.Title($"Reliability diagram (held out){ece}");
        plot.XLabel("confidence of the predicted class");
        plot.YLabel("accuracy");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Precision-recall curve of the positive class, with its average precision and the positive rate as baseline.</summary>
    public static void PrecisionRecall(IReadOnlyList<(double Recall, double Precision)> curve, string positiveClass, double averagePrecision,
        double positiveRate, string path)
    {
        var plot = new Plot();
        var xs = new List<double> { 0 };
        var ys = new List<double> { curve.Count > 0 ? curve[0].Precision : 1 };
        foreach (var (r, p) in curve)
        {
            xs.Add(r);
            ys.Add(p);
        }
        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        line.ConnectStyle = ConnectStyle.StepVertical;
        line.LineWidth = 2;
        line.LegendText = $"'{Short(positiveClass)}' (AP {averagePrecision:0.000})";
        var baseline = plot.Add.HorizontalLine(positiveRate);
        baseline.LinePattern = LinePattern.Dashed;
        baseline.LineColor = Colors.Gray;
        baseline.LegendText = $"chance ({positiveRate:0.000})";
        plot.Axes.SetLimits(0, 1, 0, 1.05);
        plot.Title($"Precision-recall curve of class '{Short(positiveClass)}' (held out)");
        plot.XLabel("recall");
        plot.YLabel("precision");
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Regression: predicted against actual values on the held-out rows.</summary>
    public static void PredictedVersusActual(double[] actual, double[] predicted, string path)
    {
        var plot = new Plot();
        var scatter = plot.Add.ScatterPoints(actual, predicted);
        scatter.MarkerSize = 5;
        double lo = Math.Min(actual.Min(), predicted.Min()), hi = Math.Max(actual.Max(), predicted.Max());
        var diagonal = plot.Add.Line(lo, lo, hi, hi);
        diagonal.LineColor = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        plot.Title("Predicted against actual (held out)");
        plot.XLabel("actual");
        plot.YLabel("predicted");
        plot.SavePng(path, Width, Height);
    }

    private static string Short(string s) => s.Length <= 14 ? s : s[..13] + "…";
}
