using System.Runtime.InteropServices;
using System.Numerics;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Split conformal classification: fitted on held-out calibration data already scored by any ML.NET multiclass model (a
/// <c>Score</c> vector and a key <c>Label</c>), it adds a prediction set column that contains the true class with probability
/// at least <c>1 - alpha</c> (marginally, per class / group, or per cluster of classes; see <see cref="ConformalConditioning"/>).
/// </summary>
/// <remarks>
/// <para>The threshold is the <c>k</c>-th smallest calibration score, <c>k = ceil((n + 1)(1 - alpha))</c> computed exactly
/// (<see cref="ConformalQuantile"/>), and +infinity when <c>k &gt; n</c>. Coverage is guaranteed when calibration and test rows
/// are exchangeable and the calibration rows were not used to train the model.</para>
/// <para><c>Fit</c> returns a stock ML.NET chain. LAC and PAS sets are a threshold on each class's score: an affine
/// <c>NormalizeMinMax</c> (fitted on two synthetic rows) and an <c>Expression</c> compare every slot at once; with a group
/// column (LAC), <c>ValueMapping</c> look-ups of the group's threshold and an <c>Expression</c>. The other scores (and PAS with a
/// group column) compute the set in an ONNX graph (ML.NET's <c>OnnxTransformer</c>, one ONNX Runtime call per row, several
/// times slower); the transformer <c>Fit</c> returns for them saves as that stock chain but computes the sets of
/// <c>Transform</c> in managed code (the same sets), so only a reloaded model pays the per-row ONNX cost. Either chain composes
/// with <c>Append</c>, saves and loads with <c>mlContext.Model.Save/Load</c> and works in <c>PredictionEngine</c>. The output
/// column is a known-size <c>Vector&lt;Single, K&gt;</c> (ML.NET dimensions [K] for the threshold chain, [1, K] for the ONNX
/// graph) with 1 for each class in the set and 0 otherwise; an infinite threshold gives the full set. The model's <c>PredictedLabel</c> and <c>Score</c> are kept.</para>
/// <para>Use <see cref="Calibrate"/> for the fitted state (<see cref="ConformalSetPredictor"/>) and fast managed prediction.</para>
/// </remarks>
public sealed class ConformalClassifier : CompiledEstimator
{
    private const string OptionsName = nameof(ConformalClassifierOptions);
    private readonly ConformalClassifierOptions _options;

    /// <summary>Creates the estimator; prefer <c>mlContext.MulticlassClassification.ConformalClassifier(...)</c>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (the message names it).</exception>
    public ConformalClassifier(MLContext mlContext, ConformalClassifierOptions options) : base(mlContext)
    {
        ConformalValidation.SetOptions(options, OptionsName);
        if (!Enum.IsDefined(options.Conditioning))
            throw new ArgumentOutOfRangeException(nameof(options.Conditioning), options.Conditioning, $"{OptionsName}.Conditioning is not defined.");
        if (options.GroupColumnName is not null && options.Conditioning != ConformalConditioning.Mondrian)
            throw new ArgumentException($"{OptionsName}.GroupColumnName '{options.GroupColumnName}' needs Conditioning = Mondrian, not {options.Conditioning}.", nameof(options.GroupColumnName));
        if (options.Fallback is { } f && !Enum.IsDefined(f))
            throw new ArgumentOutOfRangeException(nameof(options.Fallback), f, $"{OptionsName}.Fallback is not defined.");
        if (options.MinimumClassCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(options.MinimumClassCount), options.MinimumClassCount, $"{OptionsName}.MinimumClassCount must be at least 1.");
        if (options.NumberOfClusters is < 1)
            throw new ArgumentOutOfRangeException(nameof(options.NumberOfClusters), options.NumberOfClusters, $"{OptionsName}.NumberOfClusters must be at least 1.");
        if (options.ClusteringFraction is { } fraction && !(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(options.ClusteringFraction), fraction, $"{OptionsName}.ClusteringFraction must lie strictly between 0 and 1; got {fraction}.");
        if (options.EmbeddingQuantiles is null || options.EmbeddingQuantiles.Count == 0 || options.EmbeddingQuantiles.Any(q => !(q >= 0 && q <= 1)))
            throw new ArgumentOutOfRangeException(nameof(options.EmbeddingQuantiles), $"{OptionsName}.EmbeddingQuantiles must hold at least one level in [0, 1].");
        _options = options;
    }

    /// <summary>The state computed by the last <c>Fit</c> (or <see cref="Calibrate"/>); <see langword="null"/> before.</summary>
    public ConformalSetPredictor? LastCalibration { get; private set; }

    /// <summary>Computes the thresholds from scored calibration data.</summary>
    /// <param name="calibrationData">Held-out rows scored by the model: the score vector and the key label (and the group column).</param>
    /// <returns>The calibrated predictor.</returns>
    /// <exception cref="ArgumentException">A column is missing or mistyped.</exception>
    /// <exception cref="InvalidOperationException">A score is NaN or infinite, not a probability where the score needs one,
    /// a label is missing, or the data is empty.</exception>
    public ConformalSetPredictor Calibrate(IDataView calibrationData)
    {
        var data = CalibrationData.Read(calibrationData, _options.ScoreColumnName, _options.LabelColumnName, allowMultiHot: false,
            _options.GroupColumnName, weightColumnName: null);
        var scorer = ConformalValidation.Scorer(_options, data, OptionsName);
        ConformalValidation.Rows(scorer, data, _options.ScoreColumnName);
        var scores = ConformalValidation.TrueClassScores(scorer, data);
        var (p, q) = ConformalQuantile.ToFraction(_options.Alpha);
        int k = data.ClassCount, n = data.RowCount;
        var classCounts = LabeledCounts(data.Labels, k);
        ConformalSetPredictor result;
        switch (_options.Conditioning)
        {
            case ConformalConditioning.Marginal:
                {
                    float t = ConformalQuantile.Threshold(scores.AsSpan(), ConformalQuantile.QuantileIndex(n, p, q));
                    result = new ConformalSetPredictor(scorer, _options.Alpha, Enumerable.Repeat(t, k).ToArray(), false, classCounts, null, marginal: true);
                    break;
                }
            case ConformalConditioning.Mondrian when _options.GroupColumnName is not null:
                {
                    var groups = data.Groups!;
                    var (thresholds, counts) = PerBucket(scores, groups, data.GroupCount, p, q, _options.Alpha,
                        _options.Fallback ?? ConformalFallback.FullSet, _options.MinimumClassCount);
                    result = new ConformalSetPredictor(scorer, _options.Alpha, thresholds, true, counts, null, marginal: false);
                    break;
                }
            case ConformalConditioning.Mondrian:
                {
                    var (thresholds, counts) = PerBucket(scores, data.Labels, k, p, q, _options.Alpha,
                        _options.Fallback ?? ConformalFallback.FullSet, _options.MinimumClassCount);
                    result = new ConformalSetPredictor(scorer, _options.Alpha, thresholds, false, counts, null, marginal: false);
                    break;
                }
            default:
                {
                    var (thresholds, clusters) = ClusteredConformal.Compute(scores, data.Labels, k, _options, p, q);
                    result = new ConformalSetPredictor(scorer, _options.Alpha, thresholds, false, classCounts, clusters, marginal: false);
                    break;
                }
        }
        LastCalibration = result;
        return result;
    }

    private static int[] LabeledCounts(int[] labels, int k)
    {
        var counts = new int[k];
        foreach (int y in labels)
            counts[y]++;
        return counts;
    }

    /// <summary>One threshold per bucket (class or group); buckets below the minimum count get the fallback. Rows with
    /// bucket -1 (missing group) only count for the marginal threshold.</summary>
    internal static (float[] Thresholds, int[] Counts) PerBucket(float[] scores, int[] bucketOfRow, int buckets, BigInteger p, BigInteger q,
        double alpha, ConformalFallback fallback, int? minimumCount)
    {
        var counts = new int[buckets];
        foreach (int b in bucketOfRow)
            if (b >= 0) counts[b]++;
        // Counting sort of the scores by bucket.
        var start = new int[buckets + 1];
        for (int b = 0; b < buckets; b++)
            start[b + 1] = start[b] + counts[b];
        var sorted = new float[start[buckets]];
        var next = (int[])start.Clone();
        for (int i = 0; i < scores.Length; i++)
        {
            int b = bucketOfRow[i];
            if (b >= 0)
                sorted[next[b]++] = scores[i];
        }
        long minimum = minimumCount ?? ConformalQuantile.MinimumCalibrationSize(alpha);
        float marginal = float.NaN;
        float pooled = float.PositiveInfinity;
        if (fallback == ConformalFallback.PooledQuantile)
        {
            // The small buckets' rows together (Threshold gives +infinity when even they are too few).
            var small = new List<float>();
            for (int b = 0; b < buckets; b++)
                if (counts[b] < minimum)
                    small.AddRange(sorted.AsSpan(start[b], counts[b]));
            pooled = ConformalQuantile.Threshold(CollectionsMarshal.AsSpan(small), ConformalQuantile.QuantileIndex(small.Count, p, q));
        }
        var thresholds = new float[buckets];
        for (int b = 0; b < buckets; b++)
        {
            if (counts[b] < minimum && fallback == ConformalFallback.MarginalQuantile)
            {
                if (float.IsNaN(marginal))
                    marginal = ConformalQuantile.Threshold(scores.ToArray().AsSpan(), ConformalQuantile.QuantileIndex(scores.Length, p, q));
                thresholds[b] = marginal;
            }
            else if (counts[b] < minimum)
            {
                thresholds[b] = fallback == ConformalFallback.PooledQuantile ? pooled : float.PositiveInfinity;
            }
            else
            {
                var own = sorted.AsSpan(start[b], counts[b]);
                thresholds[b] = ConformalQuantile.Threshold(own, ConformalQuantile.QuantileIndex(counts[b], p, q));
            }
        }
        return (thresholds, counts);
    }

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> Compile(IDataView trainingData) =>
        Calibrate(trainingData).CreateEstimator(MLContext, _options.ScoreColumnName, _options.OutputColumnName, _options.GroupColumnName);

    /// <inheritdoc/>
    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema) =>
        Placeholder(MLContext, inputSchema, _options, _options.GroupColumnName);

    internal static IEstimator<ITransformer> Placeholder(MLContext ml, SchemaShape inputSchema, ConformalSetOptions options, string? groupColumn)
    {
        var score = FindColumn(inputSchema, options.ScoreColumnName, "score");
        if (score.Kind != SchemaShape.Column.VectorKind.Vector || score.ItemType != Microsoft.ML.Data.NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The score column '{options.ScoreColumnName}' must be a known-size vector of Single.");
        if (groupColumn is not null && !FindColumn(inputSchema, groupColumn, "group").IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The group column '{groupColumn}' must be a key column.");
        var scorer = new NonconformityScorer(options.Score, 1, options.Randomized, (float)options.RapsLambda, options.RapsRegularizationRank, [1f]);
        var placeholder = new ConformalSetPredictor(scorer, options.Alpha, [float.PositiveInfinity], groupColumn is not null, [0], null, marginal: groupColumn is null);
        return placeholder.CreateEstimator(ml, options.ScoreColumnName, options.OutputColumnName, groupColumn, shapeOnly: true);
    }
}
