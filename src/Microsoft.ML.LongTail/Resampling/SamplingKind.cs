namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Whether a sampler adds rows or removes them: it decides what a <see cref="SamplingStrategy"/> means.</summary>
public enum SamplingKind
{
    /// <summary>The sampler adds rows (copies or synthetic) to the selected classes; a class never shrinks.</summary>
    OverSampling,
    /// <summary>The sampler keeps a subset of the rows of the selected classes; a class never grows.</summary>
    UnderSampling,
}
