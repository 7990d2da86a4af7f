namespace Microsoft.ML.LongTail.Weighting;

/// <summary>Options of <see cref="ClassBalancedWeightsEstimator"/>.</summary>
public sealed class ClassBalancedWeightsOptions
{
    /// <summary>The label column: a key (<see cref="uint"/> raw type, as <c>MapValueToKey</c> makes), a Boolean, a number or
    /// text. Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The <see cref="float"/> weight column to add; pass it as <c>exampleWeightColumnName</c> to a trainer.
    /// Default <c>"Weight"</c>.</summary>
    public string OutputColumnName { get; set; } = "Weight";

    /// <summary>The weighting scheme. Default <see cref="ClassWeightingScheme.InverseFrequency"/>.</summary>
    public ClassWeightingScheme Scheme { get; set; } = ClassWeightingScheme.InverseFrequency;

    /// <summary>The <c>beta</c> of <see cref="ClassWeightingScheme.EffectiveNumber"/>, in [0, 1). Default 0.999 (Cui et al.
    /// use 0.9 to 0.9999; larger values re-balance more strongly). Ignored by the other schemes.</summary>
    public double Beta { get; set; } = 0.999;

    /// <summary>For <see cref="ClassWeightingScheme.UserDefined"/>: a non-negative, finite weight per class, keyed by the class
    /// name (the key's value for a key label, <c>"True"</c>/<c>"False"</c> for a Boolean, the number in invariant round-trip
    /// format, or the text). Every class with training rows needs an entry, and every entry must name a class. Default
    /// <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, double>? ClassWeights { get; set; }

    /// <summary>Scale the weights so that their mean over the training rows is 1 (the effective training-set size, and so the
    /// meaning of regularisation and learning-rate settings, is unchanged). Default <see langword="true"/>.</summary>
    public bool Normalize { get; set; } = true;
}
