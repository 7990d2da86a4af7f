using Microsoft.ML.RobustLoss;

namespace Microsoft.ML;

/// <summary>
/// Neural-network trainers with tail-aware and robust losses on the ML.NET catalogs: multiclass and binary
/// classification and regression. Each trains a multilayer perceptron through TorchSharp (CPU, or CUDA where present) and
/// compiles it into stock ML.NET transformers (an ONNX graph of its layers), so a fitted model saves with
/// <c>mlContext.Model.Save</c>, loads and scores anywhere ML.NET and ONNX Runtime run, without libtorch.
/// </summary>
/// <remarks>
/// Training needs TorchSharp's native runtime: an application that trains references a libtorch package (for example
/// <c>libtorch-cpu-linux-x64</c>); an application that only scores does not. Features are used as they are: scale them first.
/// Seeds are independent of the <see cref="MLContext"/>'s: a <see langword="null"/> seed means 0.
/// </remarks>
public static class NeuralNetworkCatalog
{
    /// <summary>A multiclass multilayer perceptron trained with a tail-aware loss.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label column: a key (or a Boolean, number or text; classes in sorted order).</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="hiddenLayers">Hidden layer widths; <see langword="null"/> means one layer of 128, empty a linear model.</param>
    /// <param name="epochs">Training epochs.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">AdamW's base learning rate (cosine schedule).</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>An estimator whose fitted form adds <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (key).</returns>
    public static MulticlassNeuralNetworkTrainer NeuralNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", TailLoss loss = TailLoss.CrossEntropy,
        int[]? hiddenLayers = null, int epochs = 20, int batchSize = 256, double learningRate = 1e-3, int? seed = null) =>
        NeuralNetwork(catalog, new MulticlassNeuralNetworkOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Loss = loss, HiddenLayers = hiddenLayers ?? [128],
            Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, Seed = seed,
        });

    /// <summary>A multiclass multilayer perceptron trained with a tail-aware loss.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">The options: network, loss, optimiser, schedule, sampling, validation, device, progress.</param>
    /// <returns>An estimator whose fitted form adds <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (key).</returns>
    public static MulticlassNeuralNetworkTrainer NeuralNetwork(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        MulticlassNeuralNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MulticlassNeuralNetworkTrainer(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>A binary multilayer perceptron (one logit) trained with cross-entropy, focal or asymmetric loss.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="labelColumnName">The label column: a <see cref="bool"/>.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="hiddenLayers">Hidden layer widths; <see langword="null"/> means one layer of 128, empty a linear model.</param>
    /// <param name="epochs">Training epochs.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">AdamW's base learning rate (cosine schedule).</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>An estimator whose fitted form adds <c>Score</c>, <c>Probability</c> (one-slot vectors) and <c>PredictedLabel</c>.</returns>
    public static BinaryNeuralNetworkTrainer NeuralNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", BinaryLoss loss = BinaryLoss.CrossEntropy,
        int[]? hiddenLayers = null, int epochs = 20, int batchSize = 256, double learningRate = 1e-3, int? seed = null) =>
        NeuralNetwork(catalog, new BinaryNeuralNetworkOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Loss = loss, HiddenLayers = hiddenLayers ?? [128],
            Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, Seed = seed,
        });

    /// <summary>A binary multilayer perceptron (one logit).</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>An estimator whose fitted form adds <c>Score</c>, <c>Probability</c> (one-slot vectors) and <c>PredictedLabel</c>.</returns>
    public static BinaryNeuralNetworkTrainer NeuralNetwork(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        BinaryNeuralNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new BinaryNeuralNetworkTrainer(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>A regression multilayer perceptron trained with a robust loss.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">The label (target) column: a <see cref="float"/>.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="hiddenLayers">Hidden layer widths; <see langword="null"/> means one layer of 128, empty a linear model.</param>
    /// <param name="epochs">Training epochs.</param>
    /// <param name="batchSize">Rows per mini-batch.</param>
    /// <param name="learningRate">AdamW's base learning rate (cosine schedule).</param>
    /// <param name="seed">The random seed; <see langword="null"/> means 0.</param>
    /// <returns>An estimator whose fitted form adds <c>Score</c> (a vector: one slot, or one per quantile).</returns>
    public static RegressionNeuralNetworkTrainer NeuralNetwork(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", RegressionLoss loss = RegressionLoss.Huber,
        int[]? hiddenLayers = null, int epochs = 20, int batchSize = 256, double learningRate = 1e-3, int? seed = null) =>
        NeuralNetwork(catalog, new RegressionNeuralNetworkOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Loss = loss, HiddenLayers = hiddenLayers ?? [128],
            Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, Seed = seed,
        });

    /// <summary>A regression multilayer perceptron trained with a robust loss.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="options">The options.</param>
    /// <returns>An estimator whose fitted form adds <c>Score</c> (a vector: one slot, or one per quantile).</returns>
    public static RegressionNeuralNetworkTrainer NeuralNetwork(this RegressionCatalog.RegressionTrainers catalog,
        RegressionNeuralNetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RegressionNeuralNetworkTrainer(CatalogEnvironment.Of(catalog), options);
    }
}
