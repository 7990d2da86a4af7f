using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Onnx;
using Microsoft.ML.LongTail.Onnx.Proto;

namespace Microsoft.ML.LongTail.Tests.Onnx;

public class OnnxGraphBuilderTests
{
    private sealed class XRow
    {
        [VectorType(3)]
        public float[] x { get; set; } = [];
    }

    [Fact]
    public void LogitAdjustmentGraph_MatchesManagedReference()
    {
        var ml = new MLContext(seed: 1);
        float[] prior = [0.7f, 0.2f, 0.1f];
        const float tau = 1.3f;
        var rows = new[]
        {
            new XRow { x = [1f, 2f, 3f] },
            new XRow { x = [-4f, 0.5f, 10f] },
            new XRow { x = [0f, 0f, 0f] },
            new XRow { x = [20f, -20f, 0.25f] },
        };
        var data = ml.Data.LoadFromEnumerable(rows);

        var scored = OnnxScoring.CreateEstimator(ml, TestGraphs.LogitAdjustment(prior, tau), ["adjusted", "probs"], ["x"])
            .Fit(data).Transform(data);

        var adjustedType = Assert.IsType<VectorDataViewType>(scored.Schema["probs"].Type);
        Assert.Equal(3, adjustedType.Size);
        var adjusted = scored.GetColumn<float[]>("adjusted").ToArray();
        var probs = scored.GetColumn<float[]>("probs").ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            float[] ls = ManagedReference.LogSoftmax(rows[r].x);
            float[] expectedAdjusted = ls.Select((v, c) => v - tau * MathF.Log(prior[c])).ToArray();
            ManagedReference.AssertClose(expectedAdjusted, adjusted[r]);
            ManagedReference.AssertClose(ManagedReference.Softmax(expectedAdjusted), probs[r]);
        }
    }

    [Fact]
    public void MlpGraph_MatchesManagedReference()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticData.Rows(50);
        var data = ml.Data.LoadFromEnumerable(rows);

        var scored = OnnxScoring.CreateEstimator(ml, TestGraphs.Mlp("Features"), ["probs"], ["Features"]).Fit(data).Transform(data);

        var probs = scored.GetColumn<float[]>("probs").ToArray();
        for (int r = 0; r < rows.Count; r++)
            ManagedReference.AssertClose(TestGraphs.MlpReference(rows[r].Features), probs[r]);
    }

    [Fact]
    public void OutputColumn_IsKnownSizeVector()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticData.Rows(5));
        var scored = OnnxScoring.CreateEstimator(ml, TestGraphs.Mlp("Features"), ["probs"], ["Features"]).Fit(data).Transform(data);

        // ML.NET fixes the symbolic batch dimension to 1: Vector<Single, 1, 3>, size known.
        var type = Assert.IsType<VectorDataViewType>(scored.Schema["probs"].Type);
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
        Assert.True(type.IsKnownSize);
        Assert.Equal(3, type.Size);
        Assert.Equal([1, 3], type.Dimensions.ToArray());
    }

    [Fact]
    public void Model_HasExpectedHeaderAndRoundTrips()
    {
        var g = new OnnxGraphBuilder();
        g.ImportOpset(OnnxGraphBuilder.MicrosoftDomain, 1);
        g.AddFloatInput("x", 2);
        g.AddNode("Relu", ["x"], "y");
        g.AddFloatOutput("y", 2);
        g.AddMetadata("component", "test");

        var model = ModelProto.Parser.ParseFrom(g.ToBytes());

        Assert.Equal(OnnxGraphBuilder.DefaultIrVersion, model.IrVersion);
        Assert.Equal("ML.LongTail", model.ProducerName);
        Assert.Contains(model.OpsetImport, o => o.Domain == "" && o.Version == OnnxGraphBuilder.DefaultOpsetVersion);
        Assert.Contains(model.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);
        var input = Assert.Single(model.Graph.Input);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(2, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        Assert.Equal("test", Assert.Single(model.MetadataProps).Value);
    }

    [Fact]
    public void Attributes_ZeroValuesAreStillPresent()
    {
        // proto3 `optional` keeps f = 0 / i = 0 on the wire; ONNX Runtime needs e.g. keepdims = 0.
        var parsed = AttributeProto.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(OnnxAttribute.Int("keepdims", 0)));
        Assert.True(parsed.HasI);
        Assert.Equal(AttributeProto.Types.AttributeType.Int, parsed.Type);
        var f = AttributeProto.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(OnnxAttribute.Float("beta", 0f)));
        Assert.True(f.HasF);
    }

    [Fact]
    public void Tensor_RoundTripsRawData()
    {
        float[] values = [1.5f, -2f, 3.25f, 0f, 7f, 8f];
        var tensor = OnnxTensor.FromSingles("w", values, 2, 3);
        Assert.Equal([2L, 3L], tensor.Dims.ToArray());
        Assert.Equal(values, OnnxTensor.ToSingles(tensor));
        Assert.Throws<ArgumentException>(() => OnnxTensor.FromSingles("bad", values, 4, 2));
    }

    [Fact]
    public void Validation_RejectsUndefinedInputsAndMissingOutputs()
    {
        var g = new OnnxGraphBuilder();
        g.AddFloatInput("x", 2);
        g.AddNode("Add", ["x", "nope"], "y");
        g.AddFloatOutput("y", 2);
        Assert.Contains("nope", Assert.Throws<InvalidOperationException>(() => g.ToBytes()).Message);

        var h = new OnnxGraphBuilder();
        h.AddFloatInput("x", 2);
        h.AddFloatOutput("z", 2);
        Assert.Contains("never produced", Assert.Throws<InvalidOperationException>(() => h.ToBytes()).Message);

        var d = new OnnxGraphBuilder();
        d.AddFloatInput("x", 2);
        d.AddNode("FusedMatMul", ["x", "x"], ["y"]).Domain = OnnxGraphBuilder.MicrosoftDomain;
        d.AddFloatOutput("y", 2);
        Assert.Contains("not imported", Assert.Throws<InvalidOperationException>(() => d.ToBytes()).Message);
    }
}
