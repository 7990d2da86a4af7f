namespace Microsoft.ML.LongTail.Tests.Onnx;

/// <summary>Managed reference implementations of the ONNX operators the tests use.</summary>
internal static class ManagedReference
{
    public static float[] Softmax(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x)
            max = Math.Max(max, v);
        var result = new float[x.Length];
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += result[i] = (float)Math.Exp(x[i] - max);
        for (int i = 0; i < x.Length; i++)
            result[i] = (float)(result[i] / sum);
        return result;
    }

    public static float[] LogSoftmax(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        foreach (float v in x)
            max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in x)
            sum += Math.Exp(v - max);
        double log = max + Math.Log(sum);
        var result = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            result[i] = (float)(x[i] - log);
        return result;
    }

    /// <summary>y = W x + b with W row-major [outputs, inputs] (Gemm with transB = 1).</summary>
    public static float[] Dense(ReadOnlySpan<float> x, float[] w, float[] b)
    {
        var y = new float[b.Length];
        for (int o = 0; o < b.Length; o++)
        {
            double s = b[o];
            for (int i = 0; i < x.Length; i++)
                s += (double)w[o * x.Length + i] * x[i];
            y[o] = (float)s;
        }
        return y;
    }

    public static float[] Relu(float[] x) => x.Select(v => Math.Max(v, 0f)).ToArray();

    public static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
    }
}
