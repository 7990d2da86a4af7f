namespace Microsoft.ML.LongTail.Conformal;

/// <summary>A bounded loss of a prediction set, for <see cref="ConformalLoss.Custom"/> risk control.</summary>
/// <param name="predictionSet">For each class, whether it is in the set.</param>
/// <param name="labels">For each class, whether it is a true label of the row (one-hot for a key label, multi-hot otherwise).</param>
/// <returns>The loss, in [0, <see cref="ConformalRiskControlOptions.LossBound"/>]. It must not increase when classes are added
/// to the set; risk control is only valid for such (monotone) losses.</returns>
public delegate double ConformalSetLoss(ReadOnlySpan<bool> predictionSet, ReadOnlySpan<bool> labels);
