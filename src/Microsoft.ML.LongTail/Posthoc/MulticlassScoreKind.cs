namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>What a multiclass score vector holds, for the post-hoc score corrections.</summary>
public enum MulticlassScoreKind
{
    /// <summary>Class probabilities in [0, 1] (the <c>Score</c> of ML.NET's multiclass trainers: LightGBM, SDCA maximum
    /// entropy, L-BFGS maximum entropy, naive Bayes after normalisation...). Their logarithm is taken; 0 is clamped to 1e-30.</summary>
    Probabilities,

    /// <summary>Unnormalised log-probabilities (logits) of any scale, e.g. raw one-versus-all margins; they are used as they
    /// are, and their softmax is taken where probabilities are needed.</summary>
    RawScores,
}
