using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// Binary threshold moving: chooses the decision threshold on a score or probability column that maximises F1, the G-mean,
/// balanced accuracy or recall at a minimum precision on validation data, and writes <c>PredictedLabel = score &gt;= threshold</c>.
/// </summary>
/// <remarks>
/// <para>The candidates are the midpoints between consecutive distinct validation scores, plus one above the highest (nothing
/// positive) and the lowest score (everything positive); the first best in decreasing-threshold order wins.</para>
/// <para>The fitted transformer is ML.NET's stock <c>Expression</c> transform (<c>s =&gt; s &gt;= t</c>), so it saves and loads
/// with the model; a NaN score predicts <see langword="false"/>. The score columns are left as they are.</para>
/// <para>A validation set with a single class has no meaningful threshold: fitting throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed class ThresholdMovingEstimator : CompiledEstimator
{
    private readonly ThresholdMovingOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.BinaryClassification.ThresholdMoving(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    public ThresholdMovingEstimator(MLContext mlContext, ThresholdMovingOptions options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.LabelColumnName, nameof(options.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.ScoreColumnName, nameof(options.ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.PredictedLabelColumnName, nameof(options.PredictedLabelColumnName));
        if (!Enum.IsDefined(options.Metric))
            throw new ArgumentOutOfRangeException(nameof(options), options.Metric, "Metric is not a ThresholdMetric value.");
        if (!(options.MinimumPrecision > 0 && options.MinimumPrecision <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.MinimumPrecision, "MinimumPrecision must be in (0, 1].");
        if (options.Threshold is float t && float.IsNaN(t))
            throw new ArgumentOutOfRangeException(nameof(options), t, "Threshold must not be NaN.");
        _options = options;
    }

    /// <summary>The threshold of the most recent fit; <see langword="null"/> before the first fit.</summary>
    public float? FittedThreshold { get; private set; }

    /// <summary>The metric value the fitted threshold reaches on the search data; <see langword="null"/> for a fixed threshold.</summary>
    public double? FittedMetricValue { get; private set; }

    /// <summary>Searches the threshold that maximises <paramref name="metric"/> (see <see cref="ThresholdMovingEstimator"/>).</summary>
    /// <param name="scores">Scores; higher means more positive. NaN is rejected.</param>
    /// <param name="labels">The true labels.</param>
    /// <param name="metric">The metric.</param>
    /// <param name="minimumPrecision">The precision floor of <see cref="ThresholdMetric.RecallAtPrecision"/>.</param>
    /// <returns>The threshold (predict positive when <c>score &gt;= threshold</c>) and the metric value it reaches.</returns>
    /// <exception cref="InvalidOperationException">The labels hold one class only.</exception>
    public static (float Threshold, double Value) FindThreshold(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels,
        ThresholdMetric metric, double minimumPrecision = 0.5)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels.", nameof(labels));
        int n = scores.Length;
        int positives = 0;
        for (int i = 0; i < n; i++)
        {
            if (float.IsNaN(scores[i]))
                throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            if (labels[i])
                positives++;
        }
        int negatives = n - positives;
        if (positives == 0 || negatives == 0)
            throw new InvalidOperationException($"The threshold search needs both classes, but all {n} labels are {(positives == 0 ? "false" : "true")}.");

        var order = Enumerable.Range(0, n).ToArray();
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        Array.Reverse(keys);
        Array.Reverse(order);

        // m = number of rows predicted positive (the m highest scores); only m at distinct-score boundaries.
        int bestM = 0;
        double bestValue = double.NegativeInfinity, bestSecondary = double.NegativeInfinity;
        int tp = 0;
        for (int m = 0; m <= n; m++)
        {
            if (m > 0)
            {
                if (labels[order[m - 1]])
                    tp++;
                if (m < n && keys[m] == keys[m - 1])
                    continue;
            }
            int fp = m - tp;
            double tpr = (double)tp / positives, tnr = (double)(negatives - fp) / negatives;
            double precision = m > 0 ? (double)tp / m : 0;
            double value, secondary = 0;
            switch (metric)
            {
                case ThresholdMetric.F1:
                    value = 2.0 * tp / (2.0 * tp + fp + (positives - tp));
                    break;
                case ThresholdMetric.GeometricMean:
                    value = Math.Sqrt(tpr * tnr);
                    break;
                case ThresholdMetric.BalancedAccuracy:
                    value = (tpr + tnr) / 2;
                    break;
                default:
                    // Feasible thresholds rank above infeasible ones: (1 + recall) versus precision - 1 (in [-1, 0]).
                    value = m > 0 && precision >= minimumPrecision ? 1 + tpr : precision - 1;
                    secondary = m > 0 && precision >= minimumPrecision ? precision : tpr;
                    break;
            }
            if (value > bestValue || (value == bestValue && secondary > bestSecondary))
            {
                bestValue = value;
                bestSecondary = secondary;
                bestM = m;
            }
        }
        if (metric == ThresholdMetric.RecallAtPrecision)
            bestValue = bestValue >= 1 ? bestValue - 1 : (double)CountPositives(order, labels, bestM) / positives;

        float threshold;
        if (bestM == 0)
            threshold = keys[0] == float.PositiveInfinity ? float.PositiveInfinity : float.BitIncrement(keys[0]);
        else if (bestM == n)
            threshold = keys[n - 1];
        else
        {
            float high = keys[bestM - 1], low = keys[bestM];
            threshold = (float)(((double)high + low) / 2);
            if (!(threshold > low && threshold <= high))
                threshold = high;
        }
        return (threshold, bestValue);
    }

    private static int CountPositives(int[] order, ReadOnlySpan<bool> labels, int m)
    {
        int count = 0;
        for (int i = 0; i < m; i++)
        {
            if (labels[order[i]])
                count++;
        }
        return count;
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> Compile(IDataView trainingData)
    {
        CheckScoreColumn(trainingData.Schema, "training data");
        float threshold;
        if (_options.Threshold is float fixedThreshold)
        {
            threshold = fixedThreshold;
            FittedMetricValue = null;
        }
        else
        {
            var data = _options.ValidationData ?? trainingData;
            string what = _options.ValidationData is null ? "training data" : "validation data";
            var (scores, labels) = ReadBinary(data, what);
            (threshold, double value) = FindThreshold(scores, labels, _options.Metric, _options.MinimumPrecision);
            FittedMetricValue = value;
        }
        FittedThreshold = threshold;
        return Build(threshold);
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema)
    {
        var score = FindColumn(inputSchema, _options.ScoreColumnName, "score");
        if (score.Kind != SchemaShape.Column.VectorKind.Scalar || score.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The score column '{_options.ScoreColumnName}' must be a Single scalar.");
        return Build(0.5f);
    }

    private IEstimator<ITransformer> Build(float threshold)
    {
        // The double's round-trip text of the float: parsed as float or double, the comparison is the float comparison.
        string literal = float.IsPositiveInfinity(threshold) ? "3.4028234663852886E+38"
            : float.IsNegativeInfinity(threshold) ? "-3.4028234663852886E+38"
            : ((double)threshold).ToString("R", CultureInfo.InvariantCulture);
        string comparison = float.IsPositiveInfinity(threshold) ? ">" : ">=";
        return MLContext.Transforms.Expression(_options.PredictedLabelColumnName, $"s => s {comparison} {literal}", _options.ScoreColumnName);
    }

    private void CheckScoreColumn(DataViewSchema schema, string what)
    {
        var score = SchemaValidation.GetColumn(schema, _options.ScoreColumnName, "score", nameof(ThresholdMovingOptions.ScoreColumnName));
        if (score.Type != NumberDataViewType.Single)
            throw new ArgumentException($"The score column '{score.Name}' of the {what} has type {score.Type}, but a Single scalar " +
                "(a binary trainer's Score or Probability) is required.", nameof(ThresholdMovingOptions.ScoreColumnName));
    }

    private (float[] Scores, bool[] Labels) ReadBinary(IDataView data, string what)
    {
        CheckScoreColumn(data.Schema, what);
        var score = data.Schema[_options.ScoreColumnName];
        var label = SchemaValidation.GetColumn(data.Schema, _options.LabelColumnName, "label", nameof(ThresholdMovingOptions.LabelColumnName));
        if (label.Type != BooleanDataViewType.Instance)
            throw new ArgumentException($"The label column '{label.Name}' of the {what} has type {label.Type}, but a Boolean is required.",
                nameof(ThresholdMovingOptions.LabelColumnName));
        var scores = new List<float>();
        var labels = new List<bool>();
        using var cursor = data.GetRowCursor([score, label]);
        var getScore = cursor.GetGetter<float>(score);
        var getLabel = cursor.GetGetter<bool>(label);
        float s = 0;
        bool y = false;
        while (cursor.MoveNext())
        {
            getScore(ref s);
            getLabel(ref y);
            if (float.IsNaN(s))
                throw new InvalidOperationException($"The score column '{score.Name}' of the {what} is NaN at row {scores.Count}.");
            scores.Add(s);
            labels.Add(y);
        }
        if (scores.Count == 0)
            throw new InvalidOperationException($"The {what} has no rows to search a threshold on.");
        var labelArray = labels.ToArray();
        if (labelArray.All(l => l) || !labelArray.Any(l => l))
            throw new InvalidOperationException($"The threshold search needs both classes, but every row of the {what} has label '{label.Name}' = " +
                $"{labelArray[0].ToString(CultureInfo.InvariantCulture)}.");
        return (scores.ToArray(), labelArray);
    }
}
