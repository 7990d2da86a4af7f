using Microsoft.ML.LongTail.Onnx;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// A calibrated classification conformal predictor: the non-conformity score and the thresholds (one, one per class, or one
/// per group). Returned by <see cref="ConformalClassifier.Calibrate"/> and <see cref="ConformalRiskControl.Calibrate"/>; the
/// estimators' <c>Fit</c> compiles it into stock ML.NET transforms. Use it directly for fast bulk prediction on arrays.
/// </summary>
/// <remarks>Class <c>k</c> is in the set of a row when <c>s(x, k) &lt;= Thresholds[k]</c> (per-class thresholds; a single
/// marginal threshold is repeated for every class) or <c>s(x, k) &lt;= Thresholds[group]</c> (group-conditional). Scores are
/// computed in float32. LAC and PAS sets compile to an exact threshold on each class's score (normalizer and expression
/// transforms), the other scores to an ONNX graph with the same operations in the same order, so the compiled chain gives the
/// same sets as <see cref="Predict(ReadOnlySpan{float}, int, Span{bool})"/>. The one exception, for LAC and PAS with per-class
/// or marginal thresholds: a score of -infinity in a class of infinite threshold is left out of the set, and a score within
/// one float of <see cref="float.MaxValue"/> in a class of threshold -infinity is put in (none of them a probability).</remarks>
public sealed class ConformalSetPredictor
{
    private readonly NonconformityScorer _scorer;
    private readonly float[] _thresholds;

    internal ConformalSetPredictor(NonconformityScorer scorer, double alpha, float[] thresholds, bool groupConditional,
        int[] calibrationCounts, int[]? clusterOfClass, bool marginal)
    {
        _scorer = scorer;
        _thresholds = thresholds;
        Alpha = alpha;
        IsGroupConditional = groupConditional;
        IsMarginal = marginal;
        CalibrationCounts = calibrationCounts;
        ClusterOfClass = clusterOfClass;
    }

    internal NonconformityScorer Scorer => _scorer;

    /// <summary>The number of classes (score slots).</summary>
    public int ClassCount => _scorer.ClassCount;

    /// <summary>The miscoverage level (target risk) calibrated for.</summary>
    public double Alpha { get; }

    /// <summary>The non-conformity score.</summary>
    public NonconformityScore Score => _scorer.Kind;

    /// <summary>Whether APS/RAPS scores are randomised (by a hash of the score vector).</summary>
    public bool Randomized => _scorer.Randomized;

    /// <summary>Whether there is one threshold for all classes.</summary>
    public bool IsMarginal { get; }

    /// <summary>Whether the thresholds are per group (Mondrian on a group column) rather than per class.</summary>
    public bool IsGroupConditional { get; }

    /// <summary>The thresholds: one per class (the same value for every class when marginal), or one per group.
    /// +infinity means the class (group) always gets the full set.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <summary>The calibration rows per class (per group when group-conditional).</summary>
    public IReadOnlyList<int> CalibrationCounts { get; }

    /// <summary>Clustered conformal only: the cluster of each class, -1 for the null cluster; otherwise <see langword="null"/>.</summary>
    public IReadOnlyList<int>? ClusterOfClass { get; }

    /// <summary>PAS only: the class priors used; otherwise <see langword="null"/>.</summary>
    public IReadOnlyList<float>? ClassPriors => _scorer.Priors;

    /// <summary>The non-conformity score of every class for one row of scores.</summary>
    /// <param name="scores">The row's score vector (length <see cref="ClassCount"/>).</param>
    /// <param name="nonconformity">Output, one value per class.</param>
    public void ComputeNonconformity(ReadOnlySpan<float> scores, Span<float> nonconformity)
    {
        CheckLength(scores.Length, nameof(scores));
        CheckLength(nonconformity.Length, nameof(nonconformity));
        _scorer.ScoreAll(scores, nonconformity, new int[ClassCount]);
    }

    /// <summary>The prediction set of one row (per-class or marginal thresholds).</summary>
    /// <param name="scores">The row's score vector.</param>
    /// <param name="set">Output: whether each class is in the set.</param>
    /// <returns>The set size.</returns>
    public int Predict(ReadOnlySpan<float> scores, Span<bool> set)
    {
        if (IsGroupConditional)
            throw new InvalidOperationException("This predictor is conditional on a group: pass the row's group.");
        return Predict(scores, -1, set);
    }

    /// <summary>The prediction set of one row.</summary>
    /// <param name="scores">The row's score vector.</param>
    /// <param name="group">Group-conditional predictors: the row's 0-based group (raw key - 1); -1 or a group beyond the
    /// calibrated ones gives the full set. Ignored otherwise.</param>
    /// <param name="set">Output: whether each class is in the set.</param>
    /// <returns>The set size.</returns>
    public int Predict(ReadOnlySpan<float> scores, int group, Span<bool> set)
    {
        CheckLength(scores.Length, nameof(scores));
        CheckLength(set.Length, nameof(set));
        var s = new float[ClassCount];
        return PredictRow(scores, group, set, s, new int[ClassCount]);
    }

    /// <summary>Prediction sets of many rows, in parallel.</summary>
    /// <param name="scores">Row-major score vectors, <see cref="ClassCount"/> per row.</param>
    /// <param name="sets">Output, row-major, <see cref="ClassCount"/> flags per row.</param>
    /// <param name="groups">Group-conditional predictors: the 0-based group of each row; ignored otherwise.</param>
    /// <returns>The total of the set sizes.</returns>
    public long PredictBatch(ReadOnlyMemory<float> scores, Memory<bool> sets, ReadOnlyMemory<int> groups = default)
    {
        int k = ClassCount;
        if (scores.Length % k != 0)
            throw new ArgumentException($"The scores hold {scores.Length} values, not a multiple of the {k} classes.", nameof(scores));
        int rows = scores.Length / k;
        if (sets.Length != scores.Length)
            throw new ArgumentException($"The sets need {scores.Length} flags, got {sets.Length}.", nameof(sets));
        if (IsGroupConditional && groups.Length != rows)
            throw new ArgumentException($"A group-conditional predictor needs one group per row ({rows}), got {groups.Length}.", nameof(groups));
        const int Chunk = 8192;
        int chunks = (rows + Chunk - 1) / Chunk;
        long total = 0;
        Parallel.For(0, chunks, () => 0L, (c, _, local) =>
        {
            var s = new float[k];
            var order = new int[k];
            int end = Math.Min(rows, (c + 1) * Chunk);
            var scoreSpan = scores.Span;
            var setSpan = sets.Span;
            var groupSpan = groups.Span;
            for (int r = c * Chunk; r < end; r++)
                local += PredictRow(scoreSpan.Slice(r * k, k), IsGroupConditional ? groupSpan[r] : -1, setSpan.Slice(r * k, k), s, order);
            return local;
        }, local => Interlocked.Add(ref total, local));
        return total;
    }

    /// <summary>One row's set with the caller's scratch (<see cref="ClassCount"/> each): the managed set column of
    /// <see cref="ManagedSetTransformer"/>.</summary>
    internal int PredictInto(ReadOnlySpan<float> scores, int group, Span<bool> set, float[] nonconformity, int[] order)
    {
        CheckLength(scores.Length, nameof(scores));
        return PredictRow(scores, group, set, nonconformity, order);
    }

    private int PredictRow(ReadOnlySpan<float> scores, int group, Span<bool> set, float[] s, int[] order)
    {
        _scorer.ScoreAll(scores, s, order);
        int size = 0;
        if (IsGroupConditional)
        {
            float t = group >= 0 && group < _thresholds.Length ? _thresholds[group] : float.PositiveInfinity;
            for (int j = 0; j < s.Length; j++)
                size += (set[j] = s[j] <= t) ? 1 : 0;
        }
        else
        {
            for (int j = 0; j < s.Length; j++)
                size += (set[j] = s[j] <= _thresholds[j]) ? 1 : 0;
        }
        return size;
    }

    private void CheckLength(int length, string name)
    {
        if (length != ClassCount)
            throw new ArgumentException($"Expected {ClassCount} values (one per class), got {length}.", name);
    }

    /// <summary>The stock ML.NET chain that adds the prediction set column: vectorised threshold transforms where the sets are
    /// per-class thresholds on the score (<see cref="ConformalThresholdChain"/>), else an ONNX graph (<see cref="ConformalSetGraph"/>),
    /// whose fitted form computes the sets in managed code when it transforms a view in this process
    /// (<see cref="ManagedSetTransformer"/>) and saves as the stock chain.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="scoreColumn">The score vector column.</param>
    /// <param name="outputColumn">The set column to write.</param>
    /// <param name="groupColumn">The group key column of a group-conditional predictor.</param>
    /// <param name="shapeOnly">Only for schema propagation (placeholder state): nothing is fitted.</param>
    internal IEstimator<ITransformer> CreateEstimator(MLContext mlContext, string scoreColumn, string outputColumn, string? groupColumn,
        bool shapeOnly = false)
    {
        // OnnxTransformer runs ONNX Runtime once per row (seconds per million rows); threshold sets need no graph.
        if (ConformalThresholdChain.LeastScoresInSet(this) is { } least)
            return ConformalThresholdChain.CreateEstimator(mlContext, least, scoreColumn, outputColumn, IsGroupConditional ? groupColumn : null, shapeOnly);
        var graph = CreateGraphEstimator(mlContext, scoreColumn, outputColumn, groupColumn);
        // The saved model is the ONNX chain; in this process the set column is computed by this predictor (same sets, far faster).
        return shapeOnly ? graph : new ManagedSetEstimator(graph, this, scoreColumn, outputColumn, groupColumn);
    }

    private IEstimator<ITransformer> CreateGraphEstimator(MLContext mlContext, string scoreColumn, string outputColumn, string? groupColumn)
    {
        const string OnnxOutput = "conformal_prediction_set";
        if (!IsGroupConditional)
        {
            float[] thresholds = IsMarginal ? [_thresholds[0]] : _thresholds;
            byte[] model = ConformalSetGraph.Build(_scorer, scoreColumn, OnnxOutput, thresholds, null, null);
            return OnnxScoring.CreateEstimator(mlContext, model, [scoreColumn], [new InputOutputColumnPair(outputColumn, OnnxOutput)]);
        }
        const string ThresholdColumn = "conformal_group_threshold", KnownColumn = "conformal_group_known";
        // Groups without a finite own threshold already hold +infinity; the known flag is 0 only for missing/unseen keys.
        var known = Enumerable.Repeat(1f, _thresholds.Length).ToArray();
        byte[] groupModel = ConformalSetGraph.Build(_scorer, scoreColumn, OnnxOutput, null, ThresholdColumn, KnownColumn);
        return PerClassLookup.CreateEstimator(mlContext, ThresholdColumn, groupColumn!, _thresholds)
            .Append(PerClassLookup.CreateEstimator(mlContext, KnownColumn, groupColumn!, known))
            .Append(OnnxScoring.CreateEstimator(mlContext, groupModel, [scoreColumn, ThresholdColumn, KnownColumn],
                [new InputOutputColumnPair(outputColumn, OnnxOutput)]))
            .Append(mlContext.Transforms.DropColumns(ThresholdColumn, KnownColumn));
    }
}
