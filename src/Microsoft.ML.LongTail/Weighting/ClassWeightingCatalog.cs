using Microsoft.ML.LongTail.Weighting;

namespace Microsoft.ML;

/// <summary>
/// Class-balanced example weights on <see cref="TransformsCatalog"/>: a weight column from the label, fitted on the training
/// class counts, for any trainer that takes an <c>exampleWeightColumnName</c>.
/// </summary>
public static class ClassWeightingCatalog
{
    /// <summary>Adds a class-balanced example weight column (mean weight 1 over the training rows).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The <see cref="float"/> weight column to add.</param>
    /// <param name="labelColumnName">The label column: a key, a Boolean, a number or text.</param>
    /// <param name="scheme">The weighting scheme.</param>
    /// <param name="beta">The <c>beta</c> of <see cref="ClassWeightingScheme.EffectiveNumber"/>, in [0, 1).</param>
    /// <returns>The estimator; its fitted form is a stock ValueMapping.</returns>
    public static ClassBalancedWeightsEstimator ClassBalancedWeights(this TransformsCatalog catalog, string outputColumnName = "Weight",
        string labelColumnName = "Label", ClassWeightingScheme scheme = ClassWeightingScheme.InverseFrequency, double beta = 0.999) =>
        ClassBalancedWeights(catalog, new ClassBalancedWeightsOptions
        {
            OutputColumnName = outputColumnName, LabelColumnName = labelColumnName, Scheme = scheme, Beta = beta,
        });

    /// <summary>Adds a class-balanced example weight column.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The options, user-given class weights included.</param>
    /// <returns>The estimator; its fitted form is a stock ValueMapping.</returns>
    public static ClassBalancedWeightsEstimator ClassBalancedWeights(this TransformsCatalog catalog, ClassBalancedWeightsOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ClassBalancedWeightsEstimator(Microsoft.ML.LongTail.CatalogContext.Get(catalog), options);
    }
}
