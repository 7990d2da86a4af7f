namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="TomekLinks"/>. The default strategy, <see cref="SamplingStrategy.Auto"/>, cleans every class but the minority.</summary>
public sealed class TomekLinksOptions : SamplerOptions
{
    /// <summary>Threads for the neighbour search; -1 (the default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
