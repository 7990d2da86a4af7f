using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;

namespace Microsoft.ML.LongTail.Tests.Onnx;

/// <summary>
/// Test component on <see cref="CompiledEstimator"/>: fits class priors from a key label, then replaces the probability
/// vector in <c>scoreColumnName</c> by softmax(log p - tau * log prior), compiled to an ONNX graph.
/// </summary>
internal sealed class PriorAdjustmentEstimator(MLContext mlContext, string labelColumnName = "Label", string scoreColumnName = "Score", float tau = 1f)
    : CompiledEstimator(mlContext)
{
    private const string OnnxOutput = "prior_adjusted_score";

    public float[]? LastPriors { get; private set; }

    protected override IEstimator<ITransformer> Compile(IDataView trainingData)
    {
        var label = trainingData.Schema[labelColumnName];
        if (label.Type is not KeyDataViewType key)
            throw new ArgumentOutOfRangeException(nameof(trainingData), $"'{labelColumnName}' must be a key column.");
        int k = checked((int)key.Count);
        var counts = new double[k];
        using (var cursor = trainingData.GetRowCursor([label]))
        {
            var getter = cursor.GetGetter<uint>(label);
            uint raw = 0;
            while (cursor.MoveNext())
            {
                getter(ref raw);
                if (raw > 0)
                    counts[raw - 1]++;
            }
        }
        // Laplace smoothing keeps log(prior) finite for classes absent from a fold.
        double total = counts.Sum() + k;
        LastPriors = counts.Select(c => (float)((c + 1) / total)).ToArray();
        return Build(LastPriors);
    }

    protected override IEstimator<ITransformer> CompileForSchema(SchemaShape inputSchema)
    {
        if (!FindColumn(inputSchema, labelColumnName, "label").IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"'{labelColumnName}' must be a key column.");
        if (FindColumn(inputSchema, scoreColumnName, "score").Kind != SchemaShape.Column.VectorKind.Vector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"'{scoreColumnName}' must be a known-size vector.");
        // Vector sizes are not part of SchemaShape: a one-class placeholder has the same output shape.
        return Build([1f]);
    }

    private IEstimator<ITransformer> Build(float[] priors)
    {
        int k = priors.Length;
        var g = new OnnxGraphBuilder("prior_adjustment");
        g.AddFloatInput(scoreColumnName, k);
        g.AddInitializer("scaled_log_prior", priors.Select(p => tau * MathF.Log(p)).ToArray(), k);
        g.AddInitializer("eps", [1e-30f]);
        string clamped = g.AddNode("Max", [scoreColumnName, "eps"], "clamped");
        string log = g.AddNode("Log", [clamped], "log_p");
        string adjusted = g.AddNode("Sub", [log, "scaled_log_prior"], "adjusted");
        g.AddNode("Softmax", [adjusted], OnnxOutput, OnnxAttribute.Int("axis", 1));
        g.AddFloatOutput(OnnxOutput, k);
        return OnnxScoring.CreateEstimator(MLContext, g.ToBytes(), [scoreColumnName],
            [new InputOutputColumnPair(scoreColumnName, OnnxOutput)]);
    }
}
