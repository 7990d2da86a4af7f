using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.RobustLoss;

/// <summary>
/// Builds the stock ML.NET chain a trained network compiles into: the exported ONNX graph (OnnxTransformer) and, for a
/// scalar key <c>PredictedLabel</c>, a stock k-means transformer whose centroids are the unit vectors.
/// </summary>
/// <remarks>
/// No stock transform turns a vector into a scalar or a key, but k-means' <c>PredictedLabel</c> is the key of the nearest
/// centroid, and with centroids <c>e_1..e_K</c> the nearest to a probability vector <c>p</c> is its arg-max
/// (<c>|p - e_k|^2 = |p|^2 + 1 - 2 p_k</c>). Fitting k-means with K clusters on the K one-hot rows makes each row its own
/// centroid exactly (k-means++ never picks a chosen point twice), but in an arbitrary cluster order; the ONNX graph
/// therefore feeds it <c>p</c> with its slots permuted (a <c>Gather</c>) so that cluster <c>j</c> is class <c>j</c>.
/// </remarks>
internal static class ScoringChain
{
    public const string ScoreName = "robustloss_score";
    public const string ProbabilityName = "robustloss_probability";
    public const string ArgMaxInputName = "robustloss_argmax_input";
    /// <summary>The one-slot network output, as a plain <c>Vector&lt;Single, 1&gt;</c>, that <see cref="ScalarScore"/> reads.</summary>
    public const string ScalarInputName = "robustloss_scalar_input";

    private sealed class OneHotRow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>Fits the arg-max k-means on the K one-hot rows; returns it and the Gather indices for its input
    /// (<c>input[i] = p[gather[i]]</c>).</summary>
    public static (ITransformer KMeans, long[] Gather) FitArgMax(MLContext mlContext, int k)
    {
        var rows = Enumerable.Range(0, k).Select(c => { var v = new float[k]; v[c] = 1; return new OneHotRow { Features = v }; }).ToList();
        var schema = SchemaDefinition.Create(typeof(OneHotRow));
        schema[0].ColumnName = ArgMaxInputName;
        // An ONNX output [N, K] reaches ML.NET as Vector<Single, 1, K>; k-means checks the dimensions, so train on that type.
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, k);
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);
        var model = KMeans(mlContext, k).Fit(data);
        VBuffer<float>[] centroids = [];
        model.Model.GetClusterCentroids(ref centroids, out int clusters);
        var gather = Enumerable.Repeat(-1L, k).ToArray();
        for (int j = 0; j < clusters; j++)
        {
            var values = centroids[j].DenseValues().ToArray();
            int hot = Array.IndexOf(values, 1f);
            if (clusters != k || hot < 0 || values.Count(v => v != 0) != 1 || gather[hot] != -1)
                throw new InvalidOperationException($"The arg-max k-means did not reproduce the {k} unit vectors (cluster {j}: {string.Join(", ", values)}).");
            gather[hot] = j; // cluster j's centroid is e_hot, so slot hot of its input must carry class j's probability
        }
        return (model, gather);
    }

    public static KMeansTrainer KMeans(MLContext mlContext, int k = 2) =>
        mlContext.Clustering.Trainers.KMeans(new KMeansTrainer.Options
        {
            FeatureColumnName = ArgMaxInputName,
            NumberOfClusters = k,
            InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            NumberOfThreads = 1,
        });

    /// <summary>Fits each part in turn (an estimator), builds it for the schema so far (a
    /// <c>Func&lt;DataViewSchema, ITransformer&gt;</c>) or takes it as is (a fitted transformer), into one chain.</summary>
    public static ITransformer Fit(IDataView input, params object[] parts)
    {
        var transformers = new List<ITransformer>();
        IDataView data = input;
        foreach (var part in parts)
        {
            var transformer = part switch
            {
                ITransformer t => t,
                // A stage built for the schema it is given (see ScalarScore).
                Func<DataViewSchema, ITransformer> build => build(data.Schema),
                _ => ((IEstimator<ITransformer>)part).Fit(data),
            };
            data = transformer.Transform(data);
            transformers.Add(transformer);
        }
        return new TransformerChain<ITransformer>(transformers.ToArray());
    }

    /// <summary>Propagates <paramref name="input"/> through estimators.</summary>
    public static SchemaShape Schema(SchemaShape input, params IEstimator<ITransformer>[] parts)
    {
        foreach (var part in parts)
            input = part.GetOutputSchema(input);
        return input;
    }

    /// <summary>Copies the private ONNX columns to their public names and drops them. The copy is a one-input
    /// <c>Concatenate</c>, which also turns ONNX's <c>Vector&lt;Single, 1, K&gt;</c> into a plain <c>Vector&lt;Single, K&gt;</c>.</summary>
    public static IEstimator<ITransformer> Publish(MLContext mlContext, bool argMax, params (string Public, string Private)[] columns)
    {
        IEstimator<ITransformer> chain = mlContext.Transforms.Concatenate(columns[0].Public, columns[0].Private);
        foreach (var (pub, priv) in columns.Skip(1))
            chain = chain.Append(mlContext.Transforms.Concatenate(pub, priv));
        return chain.Append(mlContext.Transforms.DropColumns(columns.Select(c => c.Private).Concat(argMax ? [ArgMaxInputName] : []).ToArray()));
    }

    /// <summary>Adds the arg-max input (<paramref name="probabilities"/> permuted by <paramref name="gather"/>) as an output.</summary>
    public static void AddArgMaxInput(OnnxGraphBuilder g, string probabilities, long[] gather)
    {
        string indices = g.AddInitializer("argmax_gather", gather, gather.Length);
        g.AddNode("Gather", [probabilities, indices], ArgMaxInputName, OnnxAttribute.Int("axis", 1));
        g.AddFloatOutput(ArgMaxInputName, gather.Length);
    }

    /// <summary>A minimal graph with the same input and outputs as a real one, for schema propagation.</summary>
    public static byte[] Placeholder(string featureColumn, params string[] outputs)
    {
        var g = new OnnxGraphBuilder("robustloss_placeholder");
        g.AddFloatInput(featureColumn, 1);
        foreach (var output in outputs)
        {
            g.AddNode("Identity", [featureColumn], output);
            g.AddFloatOutput(output, 1);
        }
        return g.ToBytes();
    }
}
