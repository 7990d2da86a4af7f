using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Compiles a <see cref="ConformalIntervalPredictor"/> into stock, vectorised ML.NET transforms instead of an ONNX graph
/// (ML.NET's <c>OnnxTransformer</c> calls ONNX Runtime once per row, seconds per million rows).
/// </summary>
/// <remarks>
/// <para>The chain: a threshold column <c>q</c> per row, then <c>Expression</c> for the lower and the upper bound (scalar
/// columns: <c>(s, q) =&gt; s - q</c> and <c>s + q</c>, <c>(s, d, q) =&gt; s - q * d</c> and <c>s + q * d</c>,
/// <c>(lo, q) =&gt; lo - q</c> and <c>(hi, q) =&gt; hi + q</c>), <c>Concatenate</c> into the <c>Vector&lt;Single, 2&gt;</c>
/// output and <c>DropColumns</c> of the temporaries. ML.NET's expression language keeps Single operands in Single and emits the
/// IL <c>sub</c> / <c>add</c> / <c>mul</c> opcodes, so the bounds are the managed float32 operations bit for bit.</para>
/// <para>The threshold is a column, never a literal inside the arithmetic: the expression binder rewrites <c>s + 0</c> to
/// <c>s</c> (wrong for <c>s = -0</c>) and the JIT folds <c>s - 0</c> to <c>s</c> (a signalling NaN then stays unquieted). Marginal:
/// <c>Expression("x =&gt; literal")</c>, the literal being the exact decimal expansion of the float's double (17 significant
/// digits in exponent form, so it lexes as a real and parses to that double, which the expression language narrows to the
/// float exactly), or <c>1E+1000</c> for +infinity; the literal is checked at compile time. Group-conditional: two
/// <c>MapValue</c> look-ups keyed by the raw group key (the group's <c>qhat</c>, exact, and a known flag, 0 for a missing or
/// unseen key) and <c>Expression("(q, known) =&gt; known &gt; 0.5 ? q : 1E+1000")</c>.</para>
/// </remarks>
internal static class ConformalIntervalChain
{
    private const string ThresholdColumn = "conformal_interval_threshold";
    private const string LowerColumn = "conformal_interval_lower";
    private const string UpperColumn = "conformal_interval_upper";
    private const string PositiveInfinity = "1E+1000";

    /// <summary>The scalar Single columns the score reads at prediction time.</summary>
    public static string[] InputColumns(ConformalRegressionScore score, ConformalRegressorOptions options) => score switch
    {
        ConformalRegressionScore.AbsoluteResidual => [options.ScoreColumnName],
        ConformalRegressionScore.NormalizedResidual => [options.ScoreColumnName, options.DifficultyColumnName],
        _ => [options.LowerColumnName, options.UpperColumnName],
    };

    /// <summary>The stock chain writing <see cref="ConformalRegressorOptions.OutputColumnName"/>.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="predictor">The calibrated state.</param>
    /// <param name="options">The column names.</param>
    /// <param name="shapeOnly">Only for schema propagation: the literal is not checked.</param>
    public static IEstimator<ITransformer> CreateEstimator(MLContext mlContext, ConformalIntervalPredictor predictor,
        ConformalRegressorOptions options, bool shapeOnly)
    {
        var t = mlContext.Transforms;
        var inputs = InputColumns(predictor.Score, options);
        IEstimator<ITransformer> chain;
        string[] temporaries;
        if (predictor.GroupThresholds is { } thresholds)
        {
            string group = options.GroupColumnName ?? throw new InvalidOperationException("A group-conditional predictor needs the group column name.");
            chain = ConformalThresholdChain.GroupLookup(mlContext, group, thresholds)
                .Append(t.Expression(ThresholdColumn, $"(q, known) => known > 0.5 ? q : {PositiveInfinity}",
                    ConformalThresholdChain.ThresholdColumn, ConformalThresholdChain.KnownColumn));
            temporaries = [ConformalThresholdChain.ThresholdColumn, ConformalThresholdChain.KnownColumn, ThresholdColumn, LowerColumn, UpperColumn];
        }
        else
        {
            string literal = Literal(predictor.Threshold);
            if (!shapeOnly)
                CheckLiteral(literal, predictor.Threshold);
            chain = t.Expression(ThresholdColumn, $"x => {literal}", inputs[0]);
            temporaries = [ThresholdColumn, LowerColumn, UpperColumn];
        }
        switch (predictor.Score)
        {
            case ConformalRegressionScore.AbsoluteResidual:
                chain = chain.Append(t.Expression(LowerColumn, "(s, q) => s - q", inputs[0], ThresholdColumn))
                    .Append(t.Expression(UpperColumn, "(s, q) => s + q", inputs[0], ThresholdColumn));
                break;
            case ConformalRegressionScore.NormalizedResidual:
                chain = chain.Append(t.Expression(LowerColumn, "(s, d, q) => s - q * d", inputs[0], inputs[1], ThresholdColumn))
                    .Append(t.Expression(UpperColumn, "(s, d, q) => s + q * d", inputs[0], inputs[1], ThresholdColumn));
                break;
            default:
                chain = chain.Append(t.Expression(LowerColumn, "(lo, q) => lo - q", inputs[0], ThresholdColumn))
                    .Append(t.Expression(UpperColumn, "(hi, q) => hi + q", inputs[1], ThresholdColumn));
                break;
        }
        return chain.Append(t.Concatenate(options.OutputColumnName, LowerColumn, UpperColumn))
            .Append(t.DropColumns(temporaries));
    }

    /// <summary>An expression-language literal that parses to exactly <paramref name="value"/>: the double's 17 significant
    /// digits in exponent form (a real, not an integer literal; narrowed to Single by the expression language), or
    /// <c>1E+1000</c> (overflows to infinity) for an infinity.</summary>
    internal static string Literal(float value)
    {
        if (float.IsNaN(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, "A conformal threshold cannot be NaN.");
        if (float.IsInfinity(value))
            return value > 0 ? PositiveInfinity : "-" + PositiveInfinity;
        return ((double)value).ToString("E16", CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <c>Expression("x =&gt; literal")</c> on one row and checks that it gives <paramref name="value"/> bit for bit.</summary>
    private static void CheckLiteral(string literal, float value)
    {
        var ml = new MLContext(seed: 0);
        var row = ml.Data.LoadFromEnumerable([new ProbeRow()]);
        float parsed = ml.Transforms.Expression("Q", $"x => {literal}", nameof(ProbeRow.X)).Fit(row).Transform(row)
            .GetColumn<float>("Q").Single();
        if (BitConverter.SingleToInt32Bits(parsed) != BitConverter.SingleToInt32Bits(value))
            throw new InvalidOperationException(
                $"ML.NET's Expression transform parsed the threshold literal '{literal}' as {parsed:R}, not {value:R}; " +
                "the conformal interval chain cannot be built with this ML.NET version.");
    }

    private sealed class ProbeRow
    {
        public float X { get; set; }
    }
}
