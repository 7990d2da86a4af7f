using Microsoft.ML.LongTail.Data;

namespace Microsoft.ML;

/// <summary>Stratified cross-validation support for <see cref="DataOperationsCatalog"/>.</summary>
public static class StratifiedFoldCatalogExtensions
{
    /// <summary>Default name of the fold column added by <see cref="AddStratifiedFoldColumn"/>.</summary>
    public const string DefaultFoldColumnName = "StratificationFold";

    /// <summary>
    /// Adds a <c>Key&lt;UInt32, 0..numberOfFolds-1&gt;</c> column assigning each row to a fold so that every class is split as
    /// evenly as possible: each fold receives <c>floor</c> or <c>ceil</c> of <c>n_c / numberOfFolds</c> rows of class <c>c</c>.
    /// </summary>
    /// <remarks>
    /// <para>Stock <c>CrossValidate</c> and <c>CrossValidationSplit</c> split rows at random, so rare classes can vanish from a
    /// fold. Pass the returned column as <c>samplingKeyColumnName</c> with the same <paramref name="numberOfFolds"/>: ML.NET
    /// range-filters a key column by <c>(key - 1) / keyCount</c>, so fold <c>i</c> becomes exactly the i-th test set.</para>
    /// <para>The label column is read once, eagerly; the result is a lazy, non-shufflable view over <paramref name="data"/>, which must
    /// return the same rows in the same order on every cursor (true of loaders and row-wise transforms).</para>
    /// </remarks>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="data">Input data.</param>
    /// <param name="labelColumnName">Class column: key, Boolean, integer, floating-point or text.</param>
    /// <param name="numberOfFolds">Number of folds (2 or more); must match the value given to <c>CrossValidate</c>.</param>
    /// <param name="seed">Seed for the order of rows within each class.</param>
    /// <param name="outputColumnName">Name of the fold column.</param>
    public static IDataView AddStratifiedFoldColumn(this DataOperationsCatalog catalog, IDataView data, string labelColumnName = "Label",
        int numberOfFolds = 5, int seed = 0, string outputColumnName = DefaultFoldColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfFolds, 2);

        int[] groups = StratifiedFolds.ReadGroups(data, labelColumnName);
        int[] folds = StratifiedFolds.Assign(groups, numberOfFolds, seed);
        uint[] rawKeys = folds.Select(f => (uint)f + 1).ToArray();
        return new FoldColumnDataView(data, outputColumnName, rawKeys, numberOfFolds);
    }
}
