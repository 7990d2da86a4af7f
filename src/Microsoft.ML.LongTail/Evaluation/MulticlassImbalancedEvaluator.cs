using Microsoft.ML.LongTail.Data;
using System.Runtime.CompilerServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Reads a scored multiclass view in one cursor pass and builds <see cref="ImbalancedMulticlassMetrics"/>.</summary>
internal static class MulticlassImbalancedEvaluator
{
    // Runs once per evaluation over every row: compile fully optimised straight away instead of
    // spending the first ~100k rows in tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImbalancedMulticlassMetrics Evaluate(IDataView data, ImbalancedEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.ValidateCommon(options);
        var topK = options.TopK ?? Array.Empty<int>();
        var ks = new int[topK.Count];
        for (int i = 0; i < ks.Length; i++)
        {
            ks[i] = topK[i];
            if (ks[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(options), ks[i], "Every TopK value must be at least 1.");
        }
        if (options.FewShotThreshold > options.ManyShotThreshold)
            throw new ArgumentOutOfRangeException(nameof(options), options.FewShotThreshold,
                $"FewShotThreshold ({options.FewShotThreshold}) must not exceed ManyShotThreshold ({options.ManyShotThreshold}).");

        var schema = data.Schema;
        var labelColumn = SchemaValidation.GetColumn(schema, options.LabelColumnName, "label", nameof(options.LabelColumnName));
        if (labelColumn.Type is not KeyDataViewType labelKey)
            throw new ArgumentException(
                $"Label column '{labelColumn.Name}' has type {labelColumn.Type}, but multiclass EvaluateImbalanced needs a key type. " +
                $"Convert it first with mlContext.Transforms.Conversion.MapValueToKey(\"{labelColumn.Name}\").",
                nameof(options.LabelColumnName));
        if (labelKey.Count > 65536)
            throw new ArgumentException(
                $"Label column '{labelColumn.Name}' has {labelKey.Count} classes; at most 65536 are supported.",
                nameof(options.LabelColumnName));
        int k = (int)labelKey.Count;

        var scoreColumn = SchemaValidation.GetColumn(schema, options.ScoreColumnName, "score", nameof(options.ScoreColumnName));
        if (scoreColumn.Type is not VectorDataViewType scoreType || scoreType.ItemType != NumberDataViewType.Single)
            throw new ArgumentException(
                $"Score column '{scoreColumn.Name}' has type {scoreColumn.Type}, but a vector of Single is required.",
                nameof(options.ScoreColumnName));
        if (scoreType.Size != 0 && scoreType.Size != k)
            throw new ArgumentException(
                $"Score column '{scoreColumn.Name}' has {scoreType.Size} slots but label column '{labelColumn.Name}' has {k} classes; " +
                "slot i must score the class with key i + 1.",
                nameof(options.ScoreColumnName));

        DataViewSchema.Column? predictedColumn = null;
        if (options.PredictedLabelColumnName is not null)
        {
            var column = SchemaValidation.GetColumn(schema, options.PredictedLabelColumnName, "predicted label", nameof(options.PredictedLabelColumnName));
            if (column.Type is not KeyDataViewType predictedKey || predictedKey.Count != labelKey.Count)
                throw new ArgumentException(
                    $"Predicted label column '{column.Name}' has type {column.Type}, but a key type with {k} values (like label column '{labelColumn.Name}') is required.",
                    nameof(options.PredictedLabelColumnName));
            predictedColumn = column;
        }

        long[]? trainingCounts = null;
        if (options.TrainingClassCounts is not null)
        {
            if (options.TrainingClassCounts.Count != k)
                throw new ArgumentException(
                    $"TrainingClassCounts has {options.TrainingClassCounts.Count} entries but label column '{labelColumn.Name}' has {k} classes.",
                    nameof(options.TrainingClassCounts));
            trainingCounts = new long[k];
            for (int i = 0; i < k; i++)
                trainingCounts[i] = options.TrainingClassCounts[i];
        }

        var confusion = new long[k * k];
        var topKHits = new long[ks.Length];
        var calibration = new CalibrationAccumulator(options.CalibrationBins);
        var dense = new float[k];
        long rows = 0;

        var active = predictedColumn is null
            ? new[] { labelColumn, scoreColumn }
            : new[] { labelColumn, scoreColumn, predictedColumn.Value };
        using (var cursor = data.GetRowCursor(active))
        {
            var readLabel = EvaluationSchema.KeyReader(cursor, labelColumn);
            var readPredicted = predictedColumn is null ? null : EvaluationSchema.KeyReader(cursor, predictedColumn.Value);
            var scoreGetter = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            VBuffer<float> scoreBuffer = default;

            while (cursor.MoveNext())
            {
                long row = cursor.Position;
                ulong label = readLabel();
                if (label == 0 || label > (ulong)k)
                    throw new InvalidOperationException(
                        $"Label column '{labelColumn.Name}' has a missing key value at row {row}. Rows with missing labels " +
                        "are not dropped silently: filter them out first (e.g. mlContext.Data.FilterRowsByMissingValues).");
                int y = (int)label - 1;

                scoreGetter(ref scoreBuffer);
                if (scoreBuffer.Length != k)
                    throw new InvalidOperationException(
                        $"Score column '{scoreColumn.Name}' has {scoreBuffer.Length} slots at row {row} but the label has {k} classes.");
                ReadOnlySpan<float> scores;
                if (scoreBuffer.IsDense)
                {
                    scores = scoreBuffer.GetValues();
                }
                else
                {
                    // Sparse scores are rare; expand into a reused buffer rather than allocating per row.
                    Array.Clear(dense);
                    var values = scoreBuffer.GetValues();
                    var indices = scoreBuffer.GetIndices();
                    for (int i = 0; i < values.Length; i++)
                        dense[indices[i]] = values[i];
                    scores = dense;
                }

                int argMax = 0;
                float max = float.NegativeInfinity;
                bool probabilities = true;
                for (int j = 0; j < scores.Length; j++)
                {
                    float s = scores[j];
                    if (float.IsNaN(s))
                        throw new InvalidOperationException(
                            $"Score column '{scoreColumn.Name}' has NaN in slot {j} at row {row}.");
                    if (s < 0f || s > 1f)
                        probabilities = false;
                    // Strict '>' keeps the first slot on ties, as numpy.argmax.
                    if (s > max || j == 0)
                    {
                        max = s;
                        argMax = j;
                    }
                }

                int predicted;
                if (readPredicted is null)
                {
                    predicted = argMax;
                }
                else
                {
                    ulong p = readPredicted();
                    if (p == 0 || p > (ulong)k)
                        throw new InvalidOperationException(
                            $"Predicted label column '{predictedColumn!.Value.Name}' has a missing key value at row {row}.");
                    predicted = (int)p - 1;
                }
                confusion[y * k + predicted]++;

                if (ks.Length > 0)
                {
                    // Rank of the true class, breaking ties like sklearn's top_k_accuracy_score
                    // (stable ascending argsort reversed: among equal scores the higher index comes first).
                    float own = scores[y];
                    int rank = 0;
                    for (int j = 0; j < scores.Length; j++)
                    {
                        float s = scores[j];
                        if (s > own || (s == own && j > y))
                            rank++;
                    }
                    for (int i = 0; i < ks.Length; i++)
                    {
                        if (rank < ks[i])
                            topKHits[i]++;
                    }
                }

                if (!probabilities)
                    calibration.Invalidate();
                else if (calibration.IsValid)
                    calibration.Add(max, argMax == y);
                rows++;
            }
        }

        if (rows == 0)
            throw new InvalidOperationException("The scored data has no rows; there is nothing to evaluate.");

        var names = SchemaValidation.ClassNames(labelColumn, k);
        var summary = ConfusionSummary.Compute(confusion, k, names, options.IndexBalancedAccuracyAlpha);
        var (ece, bins) = calibration.Build();

        var topKAccuracy = new Dictionary<int, double>();
        for (int i = 0; i < ks.Length; i++)
            topKAccuracy[ks[i]] = (double)topKHits[i] / rows;

        double? many = null, medium = null, few = null;
        if (trainingCounts is not null)
        {
            many = GroupAccuracy(summary, trainingCounts, c => c > options.ManyShotThreshold);
            medium = GroupAccuracy(summary, trainingCounts, c => c >= options.FewShotThreshold && c <= options.ManyShotThreshold);
            few = GroupAccuracy(summary, trainingCounts, c => c < options.FewShotThreshold);
        }

        var conformal = options.PredictionSetColumnName is null ? null
            : ConformalEvaluator.EvaluateSets(data, options.ConformalAlpha, options.LabelColumnName, options.PredictionSetColumnName);
        return new ImbalancedMulticlassMetrics(summary, ece, bins, topKAccuracy, many, medium, few, conformal);
    }

    private static double? GroupAccuracy(ConfusionSummary summary, long[] trainingCounts, Func<long, bool> inGroup)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < trainingCounts.Length; i++)
        {
            if (!summary.Present[i] || !inGroup(trainingCounts[i]))
                continue;
            sum += summary.PerClass[i].Recall;
            count++;
        }
        return count == 0 ? null : sum / count;
    }
}
