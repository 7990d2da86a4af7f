using System.Collections.Immutable;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Posthoc;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Compiles a threshold-type set predictor (LAC or PAS with per-class or marginal thresholds, LAC with group thresholds) into
/// vectorised stock ML.NET transforms instead of the ONNX graph of <see cref="ConformalSetGraph"/>: ML.NET's
/// <c>OnnxTransformer</c> calls ONNX Runtime once per row, which costs several seconds per million rows.
/// </summary>
/// <remarks>
/// <para>For these scores the non-conformity of class c depends on its own score p only and does not increase with it
/// (<see cref="NonconformityScorer.PointScore"/>: float32 <c>1 - p</c>, or <c>-(p / prior_c)</c> with a positive finite prior;
/// a rounded subtraction or division by a positive number is monotone). So <c>s(p) &lt;= t</c> holds exactly when
/// <c>p &gt;= p*</c>, p* being the least float (in the order -infinity .. +infinity) with <c>s(p*) &lt;= t</c>, found by
/// bisection over the float bit patterns. Both sides are false for a NaN score.</para>
/// <para>Per-class (and marginal) thresholds: <c>NormalizeMinMax(fixZero: false)</c>, fitted on two synthetic rows whose
/// minimum is p* and whose maximum lies a little above it, computes <c>y = (p - p*) * scale</c> per slot with a positive scale
/// that is at least 1 where p* is near zero (so a negative difference cannot round to -0); then
/// <c>Expression("y =&gt; float(y &gt;= 0)")</c>. A slot of infinite threshold (p* = -infinity, the full set) is fitted with
/// p* = -float.MaxValue, and a slot whose set is empty up to +infinity with p* one float below float.MaxValue: the sets equal
/// the managed ones for every score except -infinity in a full-set slot (left out) and the two largest finite floats in such an
/// empty slot (put in), none of them a probability.</para>
/// <para>Group thresholds (LAC only, the same p* for every class of the row): two <c>MapValue</c> look-ups of the group's p* and
/// a known flag (0 for a missing or unseen key), then <c>Expression("(p, t, known) =&gt; ...")</c>, which compares every slot
/// of the score vector with the row's scalar p*: exact for every score.</para>
/// </remarks>
internal static class ConformalThresholdChain
{
    private const string MarginColumn = "conformal_margin";
    /// <summary>The per-row group threshold written by <see cref="GroupLookup"/>.</summary>
    internal const string ThresholdColumn = "conformal_group_threshold";

    /// <summary>The per-row flag written by <see cref="GroupLookup"/>: 1 for a calibrated group, 0 for a missing or unseen key.</summary>
    internal const string KnownColumn = "conformal_group_known";

    /// <summary>The least score in the set per class (per group when group-conditional), or <see langword="null"/> when the
    /// predictor's sets are not a threshold on the score: rank-based scores, PAS with group thresholds (its p* differs per
    /// class), a prior that is not a positive finite float, or a NaN threshold.</summary>
    public static float[]? LeastScoresInSet(ConformalSetPredictor predictor)
    {
        var scorer = predictor.Scorer;
        if (!scorer.IsPointwise || (predictor.IsGroupConditional && scorer.Kind != NonconformityScore.Lac))
            return null;
        if (scorer.Priors is { } priors && priors.Any(prior => !(prior > 0) || !float.IsFinite(prior)))
            return null;
        var thresholds = predictor.Thresholds;
        var least = new float[thresholds.Count];
        for (int i = 0; i < least.Length; i++)
        {
            // Group thresholds are LAC's: the same function of p for every class, so class 0 stands for all.
            int c = predictor.IsGroupConditional ? 0 : i;
            if (LeastScoreInSet(scorer, c, thresholds[i]) is not { } value)
                return null;
            least[i] = value;
        }
        return least;
    }

    /// <summary>The least float p, in the order -infinity .. +infinity, with <c>PointScore(p, c) &lt;= threshold</c>;
    /// <see langword="null"/> when there is none (a NaN threshold).</summary>
    internal static float? LeastScoreInSet(NonconformityScorer scorer, int c, float threshold)
    {
        long lo = OrderKey(float.NegativeInfinity), hi = OrderKey(float.PositiveInfinity);
        bool InSet(long key) => scorer.PointScore(FromOrderKey(key), c) <= threshold;
        if (!InSet(hi))
            return null;
        while (lo < hi)
        {
            long mid = lo + (hi - lo) / 2;
            if (InSet(mid))
                hi = mid;
            else
                lo = mid + 1;
        }
        return FromOrderKey(lo);
    }

    /// <summary>A key that orders the non-NaN floats by value; -0 and +0 share key 0 (they compare equal).</summary>
    private static long OrderKey(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits >= 0 ? bits : int.MinValue - bits;
    }

    private static float FromOrderKey(long key)
    {
        int k = (int)key;
        return BitConverter.Int32BitsToSingle(k >= 0 ? k : int.MinValue - k);
    }

    /// <summary>The stock chain writing the set column from <see cref="LeastScoresInSet"/>.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="least">p* per class, or per group when <paramref name="groupColumn"/> is given.</param>
    /// <param name="scoreColumn">The score vector column.</param>
    /// <param name="outputColumn">The set column to write.</param>
    /// <param name="groupColumn">The group key column of a group-conditional predictor, else <see langword="null"/>.</param>
    /// <param name="shapeOnly">Only for schema propagation: the normalizer is left unfitted.</param>
    public static IEstimator<ITransformer> CreateEstimator(MLContext mlContext, float[] least, string scoreColumn, string outputColumn,
        string? groupColumn, bool shapeOnly)
    {
        var t = mlContext.Transforms;
        if (groupColumn is not null)
        {
            return GroupLookup(mlContext, groupColumn, least)
                .Append(t.Expression(outputColumn, "(p, t, known) => float(known > 0.5 ? p >= t : !isna(p))", scoreColumn, ThresholdColumn, KnownColumn))
                .Append(t.DropColumns(ThresholdColumn, KnownColumn));
        }
        var normalizer = t.NormalizeMinMax(MarginColumn, scoreColumn, fixZero: false);
        IEstimator<ITransformer> margin = shapeOnly ? normalizer : new PrefittedEstimator(FitMargin(mlContext, least, scoreColumn), normalizer);
        return margin
            .Append(t.Expression(outputColumn, "y => float(y >= 0)", MarginColumn))
            .Append(t.DropColumns(MarginColumn));
    }

    /// <summary>Two <c>MapValue</c> look-ups keyed by the group column: the group's value into <see cref="ThresholdColumn"/>
    /// (exact) and 1 into <see cref="KnownColumn"/> (0 for a missing or unseen key, which then gets no calibrated value).</summary>
    internal static IEstimator<ITransformer> GroupLookup(MLContext mlContext, string groupColumn, IReadOnlyList<float> values) =>
        PerClassLookup.CreateEstimator(mlContext, ThresholdColumn, groupColumn, values)
            .Append(PerClassLookup.CreateEstimator(mlContext, KnownColumn, groupColumn, Enumerable.Repeat(1f, values.Count).ToArray()));

    /// <summary>Fits the affine normalizer <c>y = (p - low) * scale</c> on two synthetic rows (low, high) per slot and checks
    /// that ML.NET took low as the offset and that the sign of y changes exactly at low.</summary>
    private static NormalizingTransformer FitMargin(MLContext mlContext, float[] least, string scoreColumn)
    {
        int k = least.Length;
        var low = new float[k];
        var high = new float[k];
        for (int c = 0; c < k; c++)
            (low[c], high[c]) = Bounds(least[c]);
        var definition = SchemaDefinition.Create(typeof(SyntheticRow));
        definition[nameof(SyntheticRow.Score)].ColumnName = scoreColumn;
        definition[nameof(SyntheticRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        var rows = mlContext.Data.LoadFromEnumerable([new SyntheticRow { Score = low }, new SyntheticRow { Score = high }], definition);
        var normalizer = mlContext.Transforms.NormalizeMinMax(MarginColumn, scoreColumn, fixZero: false).Fit(rows);

        var parameters = (NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>>)normalizer.GetNormalizerModelParameters(0);
        for (int c = 0; c < k; c++)
        {
            float scale = parameters.Scale[c];
            float offset = parameters.Offset.IsDefaultOrEmpty ? 0f : parameters.Offset[c];
            float Margin(float p) => (p - offset) * scale;
            // ML.NET computes (p - offset) * scale in float32 (NormalizeColumnSng); a different fit would move the boundary.
            if (BitConverter.SingleToInt32Bits(offset) != BitConverter.SingleToInt32Bits(low[c]) || !(scale > 0) || !float.IsFinite(scale)
                || !(Margin(low[c]) >= 0) || (low[c] > -float.MaxValue && !(Margin(MathF.BitDecrement(low[c])) < 0)))
                throw new InvalidOperationException(
                    $"NormalizeMinMax fitted offset {offset:R} and scale {scale:R} for slot {c}, not offset {low[c]:R} with a positive scale; " +
                    "the conformal threshold chain cannot be built with this ML.NET version.");
        }
        return normalizer;
    }

    /// <summary>The synthetic minimum (the offset) and maximum of a slot whose set is <c>p &gt;= least</c>.</summary>
    private static (float Low, float High) Bounds(float least)
    {
        if (least == float.NegativeInfinity)
            return (-float.MaxValue, MathF.BitIncrement(-float.MaxValue));
        float top = MathF.BitDecrement(float.MaxValue);
        if (least >= top)
            return (top, float.MaxValue);
        // A gap in (0, 1] gives a scale of at least 1, so (p - least) * scale never rounds a negative difference to -0; where
        // least + 0.5 rounds back to least (|least| >= 2^24) the next float gives a scale of 1 / ulp, and differences are ulps.
        float high = least + 0.5f;
        if (!(high > least) || !(high - least <= 1f))
            high = MathF.BitIncrement(least);
        return (least, high);
    }

    private sealed class SyntheticRow
    {
        public float[] Score { get; set; } = [];
    }
}
