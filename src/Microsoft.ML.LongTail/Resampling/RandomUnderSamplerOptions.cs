namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="RandomUnderSampler"/>.</summary>
public sealed class RandomUnderSamplerOptions : SamplerOptions
{
    /// <summary>Whether a row can be drawn more than once. Default <see langword="false"/>: each kept row is distinct.</summary>
    public bool Replacement { get; set; }
}
