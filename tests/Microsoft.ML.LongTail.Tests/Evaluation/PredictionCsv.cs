using System.Globalization;

namespace Microsoft.ML.LongTail.Tests.Evaluation;

/// <summary>A predictions CSV in peer_metrics.py's format: y_true, y_pred, p0..p{K-1}.</summary>
internal sealed class PredictionCsv
{
    private PredictionCsv(int[] labels, int[] predicted, float[][] probabilities, int classCount)
    {
        Labels = labels;
        Predicted = predicted;
        Probabilities = probabilities;
        ClassCount = classCount;
    }

    public int[] Labels { get; }
    public int[] Predicted { get; }
    public float[][] Probabilities { get; }
    public int ClassCount { get; }

    public static string FixturePath(string fileName) => Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName);

    public static PredictionCsv Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        Assert.Equal("y_true", header[0]);
        Assert.Equal("y_pred", header[1]);
        int k = header.Length - 2;
        var labels = new List<int>();
        var predicted = new List<int>();
        var probabilities = new List<float[]>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            labels.Add(int.Parse(cells[0], CultureInfo.InvariantCulture));
            predicted.Add(int.Parse(cells[1], CultureInfo.InvariantCulture));
            // The fixtures hold float32-exact values, so this cast loses nothing.
            probabilities.Add(cells.Skip(2).Select(c => (float)double.Parse(c, CultureInfo.InvariantCulture)).ToArray());
        }
        return new PredictionCsv(labels.ToArray(), predicted.ToArray(), probabilities.ToArray(), k);
    }
}
