namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Whether a sampler adds rows or removes them: it decides what a <see cref="SamplingStrategy"/> means.</summary>
public enum SamplingKind
{
    /// <summary>The sampler adds rows (copies or synthetic) to the selected classes; a class never shrinks.</summary>
    OverSampling,
    /// <summary>The sampler keeps a subset of the rows of the selected classes; a class never grows.</summary>
    UnderSampling,
    /// <summary>
    /// The sampler removes rows of the selected classes that its rule flags (imbalanced-learn's "clean-sampling": Tomek
    /// links, edited nearest neighbours...). The strategy only says which classes may lose rows; how many they lose
    /// depends on the data. Allowed strategies: <see cref="SamplingStrategy.Auto"/> (every class but the minority),
    /// <see cref="SamplingStrategy.All"/>, <see cref="SamplingStrategy.NotMinority"/>, <see cref="SamplingStrategy.NotMajority"/>,
    /// <see cref="SamplingStrategy.Majority"/> and <see cref="SamplingStrategy.Classes"/>.
    /// </summary>
    Cleaning,
}
