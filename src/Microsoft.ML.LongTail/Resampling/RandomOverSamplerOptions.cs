namespace Microsoft.ML.LongTail.Resampling;

/// <summary>Options of <see cref="RandomOverSampler"/>.</summary>
public sealed class RandomOverSamplerOptions : SamplerOptions
{
    /// <summary>
    /// <see langword="null"/> (the default): new rows are exact copies of random rows of their class. A value &gt;= 0: a
    /// smoothed bootstrap, as imbalanced-learn's <c>shrinkage</c>: each copy is perturbed by Gaussian noise with standard
    /// deviation <c>shrinkage * h * std_c</c> per feature, where <c>std_c</c> is the class's standard deviation and
    /// <c>h = (4 / ((d + 2) n))^(1 / (d + 4))</c> for <c>n</c> rows and <c>d</c> features. Perturbed rows are synthetic:
    /// their other columns are missing values.
    /// </summary>
    public double? Shrinkage { get; set; }
}
