namespace Microsoft.ML.LongTail.Resampling;

/// <summary>The options every sampler shares.</summary>
public class SamplerOptions
{
    /// <summary>The label column: a key, a Boolean, a number or text. Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The feature column: a known-size vector of <see cref="float"/>, or a single <see cref="float"/>. Default <c>"Features"</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Which classes to resample and to how many rows. Default <see cref="SamplingStrategy.Auto"/>.</summary>
    public SamplingStrategy Strategy { get; set; } = SamplingStrategy.Auto;

    /// <summary>
    /// The seed of the sampler's random numbers. Default <see langword="null"/>, which means 0: resampling is
    /// reproducible unless a seed is given on purpose, and does not depend on the <see cref="MLContext"/>'s seed.
    /// </summary>
    public int? Seed { get; set; }
}
