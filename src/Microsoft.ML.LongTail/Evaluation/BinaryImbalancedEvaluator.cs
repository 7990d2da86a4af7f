using Microsoft.ML.LongTail.Data;
using System.Runtime.CompilerServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Reads a scored binary view in one cursor pass and builds <see cref="ImbalancedBinaryMetrics"/>.</summary>
internal static class BinaryImbalancedEvaluator
{
    private const string DefaultProbabilityColumn = "Probability";

    // Runs once per evaluation over every row: compile fully optimised straight away instead of
    // spending the first ~100k rows in tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImbalancedBinaryMetrics Evaluate(IDataView data, ImbalancedEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        OptionsValidation.ValidateCommon(options);
        if (double.IsNaN(options.RecallAtPrecision) || options.RecallAtPrecision < 0 || options.RecallAtPrecision > 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.RecallAtPrecision, "RecallAtPrecision must lie in [0, 1].");

        var schema = data.Schema;
        var labelColumn = SchemaValidation.GetColumn(schema, options.LabelColumnName, "label", nameof(options.LabelColumnName));
        if (labelColumn.Type != BooleanDataViewType.Instance)
            throw new ArgumentException(
                $"Label column '{labelColumn.Name}' has type {labelColumn.Type}, but binary EvaluateImbalanced needs Boolean. " +
                $"Convert it first, e.g. with mlContext.Transforms.Conversion.ConvertType(\"{labelColumn.Name}\", outputKind: DataKind.Boolean) " +
                "or a CustomMapping; for key labels use the multiclass catalog.",
                nameof(options.LabelColumnName));
        var scoreColumn = SchemaValidation.GetColumn(schema, options.ScoreColumnName, "score", nameof(options.ScoreColumnName));
        RequireSingle(scoreColumn, nameof(options.ScoreColumnName));
        if (options.PredictedLabelColumnName is null)
            throw new ArgumentException("Binary EvaluateImbalanced needs a predicted label column.", nameof(options.PredictedLabelColumnName));
        var predictedColumn = SchemaValidation.GetColumn(schema, options.PredictedLabelColumnName, "predicted label", nameof(options.PredictedLabelColumnName));
        if (predictedColumn.Type != BooleanDataViewType.Instance)
            throw new ArgumentException(
                $"Predicted label column '{predictedColumn.Name}' has type {predictedColumn.Type}, but Boolean is required.",
                nameof(options.PredictedLabelColumnName));

        // The probability column is optional: a missing default-named column means an uncalibrated trainer,
        // but a name the caller chose must exist.
        DataViewSchema.Column? probabilityColumn = null;
        if (options.ProbabilityColumnName is not null)
        {
            if (schema.GetColumnOrNull(options.ProbabilityColumnName) is { } found)
                probabilityColumn = found;
            else if (options.ProbabilityColumnName != DefaultProbabilityColumn)
                SchemaValidation.GetColumn(schema, options.ProbabilityColumnName, "probability", nameof(options.ProbabilityColumnName));
        }
        if (probabilityColumn is { } probability)
            RequireSingle(probability, nameof(options.ProbabilityColumnName));

        var confusion = new long[4];
        var calibration = new CalibrationAccumulator(options.CalibrationBins);
        if (probabilityColumn is null)
            calibration.Invalidate();
        long capacity = data.GetRowCount() ?? 1024;
        var ranking = new double[Math.Clamp(capacity, 1, Array.MaxLength)];
        var positive = new bool[ranking.Length];
        long rows = 0;

        var active = probabilityColumn is null
            ? new[] { labelColumn, scoreColumn, predictedColumn }
            : new[] { labelColumn, scoreColumn, predictedColumn, probabilityColumn.Value };
        using (var cursor = data.GetRowCursor(active))
        {
            var labelGetter = cursor.GetGetter<bool>(labelColumn);
            var predictedGetter = cursor.GetGetter<bool>(predictedColumn);
            var scoreGetter = cursor.GetGetter<float>(scoreColumn);
            var probabilityGetter = probabilityColumn is null ? null : cursor.GetGetter<float>(probabilityColumn.Value);
            bool label = false, predicted = false;
            float score = 0, prob = 0;

            while (cursor.MoveNext())
            {
                long row = cursor.Position;
                labelGetter(ref label);
                predictedGetter(ref predicted);
                scoreGetter(ref score);
                if (float.IsNaN(score))
                    throw new InvalidOperationException($"Score column '{scoreColumn.Name}' is NaN at row {row}.");
                double rank = score;
                if (probabilityGetter is not null)
                {
                    probabilityGetter(ref prob);
                    if (float.IsNaN(prob))
                        throw new InvalidOperationException($"Probability column '{probabilityColumn!.Value.Name}' is NaN at row {row}.");
                    rank = prob;
                    if (prob < 0f || prob > 1f)
                    {
                        calibration.Invalidate();
                    }
                    else if (calibration.IsValid)
                    {
                        // Two-class vector [1 - p, p]: confidence is its max, arg-max takes class 0 on ties.
                        double p = prob;
                        double q = 1 - p;
                        bool predictsPositive = p > q;
                        calibration.Add(predictsPositive ? p : q, predictsPositive == label);
                    }
                }

                confusion[(label ? 2 : 0) + (predicted ? 1 : 0)]++;
                if (rows == ranking.Length)
                {
                    int grown = (int)Math.Min((long)ranking.Length * 2, Array.MaxLength);
                    Array.Resize(ref ranking, grown);
                    Array.Resize(ref positive, grown);
                }
                ranking[rows] = rank;
                positive[rows] = label;
                rows++;
            }
        }

        if (rows == 0)
            throw new InvalidOperationException("The scored data has no rows; there is nothing to evaluate.");

        var summary = ConfusionSummary.Compute(confusion, 2, new[] { "False", "True" }, options.IndexBalancedAccuracyAlpha);
        var (ece, bins) = calibration.Build();
        var curves = RankingCurves.Compute(ranking, positive, (int)rows, options.RecallAtPrecision);
        return new ImbalancedBinaryMetrics(summary, ece, bins, curves.RocAuc, curves.AveragePrecision,
            curves.RecallAtPrecision, options.RecallAtPrecision);
    }

    private static void RequireSingle(DataViewSchema.Column column, string parameterName)
    {
        if (column.Type != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{column.Name}' has type {column.Type}, but Single is required.", parameterName);
    }
}
