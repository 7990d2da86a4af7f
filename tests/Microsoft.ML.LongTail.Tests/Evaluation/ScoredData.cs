using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Tests.Evaluation;

/// <summary>Builds scored IDataViews shaped like ML.NET trainer output.</summary>
internal static class ScoredData
{
    public sealed class MulticlassRow
    {
        public uint Label { get; set; }
        public uint PredictedLabel { get; set; }
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    public sealed class BinaryRow
    {
        public bool Label { get; set; }
        public bool PredictedLabel { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    /// <summary>
    /// Multiclass view with key-typed Label/PredictedLabel of cardinality K. LoadFromEnumerable treats the
    /// uint it is given as a 0-based class index (it stores raw key i + 1; K itself wraps to the missing key 0),
    /// so class i is written as i and pairs with score slot i.
    /// </summary>
    public static IDataView Multiclass(MLContext ml, IEnumerable<MulticlassRow> rows, int classCount)
    {
        var schema = SchemaDefinition.Create(typeof(MulticlassRow));
        schema[nameof(MulticlassRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(MulticlassRow.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(MulticlassRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classCount);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Multiclass view from (label, predicted, score) triples.</summary>
    public static IDataView Multiclass(MLContext ml, int classCount, params (uint Label, uint Predicted, float[] Score)[] rows) =>
        Multiclass(ml, rows.Select(r => new MulticlassRow { Label = r.Label, PredictedLabel = r.Predicted, Score = r.Score }).ToList(), classCount);

    public static IDataView Multiclass(MLContext ml, PredictionCsv csv) =>
        Multiclass(ml, Enumerable.Range(0, csv.Labels.Length).Select(i => new MulticlassRow
        {
            Label = (uint)csv.Labels[i],
            PredictedLabel = (uint)csv.Predicted[i],
            Score = csv.Probabilities[i],
        }).ToList(), csv.ClassCount);

    /// <summary>Binary view from a two-class CSV: probability and score are p1.</summary>
    public static IDataView Binary(MLContext ml, PredictionCsv csv) =>
        ml.Data.LoadFromEnumerable(Enumerable.Range(0, csv.Labels.Length).Select(i => new BinaryRow
        {
            Label = csv.Labels[i] == 1,
            PredictedLabel = csv.Predicted[i] == 1,
            Score = csv.Probabilities[i][1],
            Probability = csv.Probabilities[i][1],
        }).ToList());
}
