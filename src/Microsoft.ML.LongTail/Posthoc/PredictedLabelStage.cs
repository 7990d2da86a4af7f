using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Posthoc;

/// <summary>
/// Gives a score correction a new scalar key <c>PredictedLabel</c> with stock transformers only.
/// </summary>
/// <remarks>
/// <para>ML.NET has no stock transform from a vector to a scalar key, but every multiclass trainer's scorer makes one. A
/// naive Bayes model (<c>MulticlassClassification.Trainers.NaiveBayes</c>) trained on K synthetic rows, row c being the
/// one-hot vector e_c labelled c, predicts exactly c for the input e_c: its score for class j on e_c is a constant plus
/// <c>log 2</c> when j = c and <c>-log 2</c> otherwise (naive Bayes counts with add-one smoothing; with several hot slots the
/// first of them wins). Fed the one-hot of the adjusted arg-max, its <c>PredictedLabel</c> is that arg-max as a key of the
/// training label's type, with its key values. The model is fitted on the synthetic rows, never on user data, and saves as
/// a stock ML.NET model.</para>
/// <para>The scorer also writes a <c>Score</c> column (its own), which the following stages drop before the adjusted
/// scores are copied into the score column.</para>
/// </remarks>
internal static class PredictedLabelStage
{
    /// <summary>The score column name the naive Bayes scorer writes.</summary>
    public const string ScorerScoreColumn = "Score";

    /// <summary>The predicted label column name the naive Bayes scorer writes.</summary>
    public const string ScorerPredictedLabelColumn = "PredictedLabel";

    private const string KeyValuesKind = "KeyValues";

    private static readonly MethodInfo CopyKeyValuesMethod =
        typeof(PredictedLabelStage).GetMethod(nameof(CopyKeyValues), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Fits the labeller on the synthetic one-hot rows.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="label">The training label column: its name, key count and key values are reproduced.</param>
    /// <param name="classCount">K.</param>
    public static ITransformer FitLabeler(MLContext mlContext, DataViewSchema.Column label, int classCount)
    {
        var definition = SchemaDefinition.Create(typeof(SyntheticRow));
        var labelDefinition = definition[nameof(SyntheticRow.Label)];
        labelDefinition.ColumnName = label.Name;
        labelDefinition.ColumnType = new KeyDataViewType(typeof(uint), classCount);
        var keyValuesType = label.Annotations.Schema.GetColumnOrNull(KeyValuesKind)?.Type as VectorDataViewType;
        if (keyValuesType is not null && keyValuesType.Size == classCount)
            CopyKeyValuesMethod.MakeGenericMethod(keyValuesType.ItemType.RawType).Invoke(null, [label, labelDefinition, keyValuesType]);
        var featureDefinition = definition[nameof(SyntheticRow.Features)];
        featureDefinition.ColumnName = ScoreAdjustmentGraph.OneHotColumn;
        // The ONNX output is typed Vector<Single, 1, K>; the model checks the feature type, dimensions included.
        featureDefinition.ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, classCount);

        var rows = new SyntheticRow[classCount];
        for (int c = 0; c < classCount; c++)
        {
            var features = new float[classCount];
            features[c] = 1f;
            // LoadFromEnumerable reads a key-typed uint as a 0-based index (stored + 1).
            rows[c] = new SyntheticRow { Label = (uint)c, Features = features };
        }
        var synthetic = mlContext.Data.LoadFromEnumerable(rows, definition);
        return mlContext.MulticlassClassification.Trainers.NaiveBayes(label.Name, ScoreAdjustmentGraph.OneHotColumn).Fit(synthetic);
    }

    /// <summary>The stock estimator with the labeller's output shape (needs the key label in the input shape).</summary>
    public static IEstimator<ITransformer> ShapeEstimator(MLContext mlContext, string labelColumnName) =>
        mlContext.MulticlassClassification.Trainers.NaiveBayes(labelColumnName, ScoreAdjustmentGraph.OneHotColumn);

    /// <summary>After the labeller: replace the score column by the adjusted scores, name the predicted label, drop temporaries.</summary>
    public static IEstimator<ITransformer>[] Finish(MLContext mlContext, string scoreColumnName, string predictedLabelColumnName)
    {
        var t = mlContext.Transforms;
        var stages = new List<IEstimator<ITransformer>>
        {
            t.DropColumns(ScorerScoreColumn, ScoreAdjustmentGraph.OneHotColumn),
            t.CopyColumns(scoreColumnName, ScoreAdjustmentGraph.AdjustedColumn),
        };
        var drop = new List<string> { ScoreAdjustmentGraph.AdjustedColumn };
        if (predictedLabelColumnName != ScorerPredictedLabelColumn)
        {
            stages.Add(t.CopyColumns(predictedLabelColumnName, ScorerPredictedLabelColumn));
            drop.Add(ScorerPredictedLabelColumn);
        }
        stages.Add(t.DropColumns(drop.ToArray()));
        return stages.ToArray();
    }

    /// <summary>Fits stages one after the other on the running output (no up-front schema propagation, so the input need not
    /// hold the label) and chains the results.</summary>
    public static ITransformer FitInOrder(IDataView input, IEnumerable<IEstimator<ITransformer>> stages)
    {
        var transformers = new List<ITransformer>();
        var data = input;
        foreach (var stage in stages)
        {
            var transformer = stage.Fit(data);
            data = transformer.Transform(data);
            transformers.Add(transformer);
        }
        return new TransformerChain<ITransformer>(transformers.ToArray());
    }

    /// <summary>Chains estimators (for <see cref="CompiledEstimator"/>'s <c>Compile</c> contract).</summary>
    public static IEstimator<ITransformer> Chain(IEnumerable<IEstimator<ITransformer>> stages)
    {
        IEstimator<ITransformer>? chain = null;
        foreach (var stage in stages)
            chain = chain is null ? stage : chain.Append(stage);
        return chain ?? throw new ArgumentException("No stages.", nameof(stages));
    }

    private static void CopyKeyValues<T>(DataViewSchema.Column label, SchemaDefinition.Column target, VectorDataViewType type)
    {
        VBuffer<T> values = default;
        label.Annotations.GetValue(KeyValuesKind, ref values);
        target.AddAnnotation(KeyValuesKind, values, type);
    }

    private sealed class SyntheticRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
