namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>Checks of the options shared by both imbalanced evaluators.</summary>
internal static class OptionsValidation
{
    public static void ValidateCommon(ImbalancedEvaluationOptions options)
    {
        if (options.CalibrationBins < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.CalibrationBins, "CalibrationBins must be at least 1.");
        if (double.IsNaN(options.IndexBalancedAccuracyAlpha))
            throw new ArgumentOutOfRangeException(nameof(options), "IndexBalancedAccuracyAlpha must not be NaN.");
    }
}
