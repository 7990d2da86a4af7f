using System.Numerics;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Option checks and helpers shared by the conformal estimators; messages name the option and the value.</summary>
internal static class ConformalValidation
{
    public static (BigInteger P, BigInteger Q) Alpha(double alpha, string optionsType)
    {
        if (!(alpha > 0 && alpha < 1))
            throw new ArgumentOutOfRangeException("Alpha", alpha, $"{optionsType}.Alpha must lie strictly between 0 and 1; got {alpha}.");
        return ConformalQuantile.ToFraction(alpha);
    }

    public static void SetOptions(ConformalSetOptions options, string optionsType)
    {
        ArgumentNullException.ThrowIfNull(options);
        Alpha(options.Alpha, optionsType);
        if (!Enum.IsDefined(options.Score))
            throw new ArgumentOutOfRangeException(nameof(options.Score), options.Score, $"{optionsType}.Score is not a defined NonconformityScore.");
        if (!(options.RapsLambda >= 0) || !double.IsFinite(options.RapsLambda))
            throw new ArgumentOutOfRangeException(nameof(options.RapsLambda), options.RapsLambda, $"{optionsType}.RapsLambda must be finite and non-negative; got {options.RapsLambda}.");
        if (options.RapsRegularizationRank < 0)
            throw new ArgumentOutOfRangeException(nameof(options.RapsRegularizationRank), options.RapsRegularizationRank,
                $"{optionsType}.RapsRegularizationRank must be non-negative; got {options.RapsRegularizationRank}.");
        if (options.ClassPriors is { } priors)
        {
            for (int c = 0; c < priors.Count; c++)
            {
                if (!(priors[c] > 0) || !double.IsFinite(priors[c]))
                    throw new ArgumentOutOfRangeException(nameof(options.ClassPriors), priors[c],
                        $"{optionsType}.ClassPriors[{c}] is {priors[c]}; every prior must be positive and finite.");
            }
        }
        ArgumentException.ThrowIfNullOrEmpty(options.ScoreColumnName, nameof(options.ScoreColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.LabelColumnName, nameof(options.LabelColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
    }

    /// <summary>The scorer for calibration data (PAS priors from the options or the smoothed class frequencies).</summary>
    public static NonconformityScorer Scorer(ConformalSetOptions options, CalibrationData data, string optionsType)
    {
        int k = data.ClassCount;
        float[]? priors = null;
        if (options.Score == NonconformityScore.Pas)
        {
            if (options.ClassPriors is { } given)
            {
                if (given.Count != k)
                    throw new ArgumentException($"{optionsType}.ClassPriors has {given.Count} entries but the score column has {k} classes.", nameof(options.ClassPriors));
                priors = given.Select(p => (float)p).ToArray();
            }
            else
            {
                var counts = new long[k];
                long total = 0;
                if (data.MultiHot is { } hot)
                {
                    for (int i = 0; i < hot.Length; i++)
                        if (hot[i]) { counts[i % k]++; total++; }
                }
                else
                {
                    foreach (int y in data.Labels) counts[y]++;
                    total = data.RowCount;
                }
                priors = counts.Select(c => (float)((c + 1.0) / (total + k))).ToArray();
            }
        }
        return new NonconformityScorer(options.Score, k, options.Randomized, (float)options.RapsLambda, options.RapsRegularizationRank, priors);
    }

    /// <summary>Validates every calibration row for the score (probabilities where needed).</summary>
    public static void Rows(NonconformityScorer scorer, CalibrationData data, string scoreColumn)
    {
        for (int i = 0; i < data.RowCount; i++)
            scorer.Validate(data.Row(i), i, scoreColumn);
    }

    /// <summary>The true-class non-conformity score of every (key-labelled) calibration row, in parallel.</summary>
    public static float[] TrueClassScores(NonconformityScorer scorer, CalibrationData data)
    {
        int n = data.RowCount, k = data.ClassCount;
        var result = new float[n];
        const int Chunk = 16384;
        Parallel.For(0, (n + Chunk - 1) / Chunk, c =>
        {
            var order = new int[k];
            var scratch = new float[k];
            int end = Math.Min(n, (c + 1) * Chunk);
            for (int i = c * Chunk; i < end; i++)
                result[i] = scorer.ScoreOf(data.Row(i), data.Labels[i], order, scratch);
        });
        return result;
    }
}
