namespace Microsoft.ML.Quantize;

/// <summary>Symmetric weight quantization (zero point 0), per tensor or per channel along one axis.</summary>
internal static class WeightQuantizer
{
    /// <summary>Quantizes <paramref name="w"/> to integers in [-qmax - (extra), qmax]; returns the values and one scale per channel.</summary>
    /// <param name="w">Row-major weights.</param>
    /// <param name="dims">Shape.</param>
    /// <param name="axis">Channel axis, or -1 for one scale.</param>
    /// <param name="qmin">Smallest integer.</param>
    /// <param name="qmax">Largest integer; the scale maps the largest magnitude to it.</param>
    /// <param name="mseClip">Search a clipped scale minimising the squared error.</param>
    public static (int[] Values, float[] Scales) Quantize(float[] w, long[] dims, int axis, int qmin, int qmax, bool mseClip)
    {
        int channels = axis < 0 ? 1 : (int)dims[axis];
        long inner = 1;
        if (axis >= 0)
            for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        var absmax = new float[channels];
        for (long i = 0; i < w.Length; i++)
        {
            int c = axis < 0 ? 0 : (int)(i / inner % channels);
            absmax[c] = Math.Max(absmax[c], Math.Abs(w[i]));
        }
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
            scales[c] = absmax[c] > 0 ? absmax[c] / qmax : 1f;
        if (mseClip)
        {
            var best = new double[channels];
            Array.Fill(best, double.PositiveInfinity);
            var bestScale = (float[])scales.Clone();
            for (int step = 0; step <= 40; step++)
            {
                double f = 1 - step * 0.0125; // 1.0 down to 0.5
                var err = new double[channels];
                for (long i = 0; i < w.Length; i++)
                {
                    int c = axis < 0 ? 0 : (int)(i / inner % channels);
                    float s = (float)(scales[c] * f);
                    float q = Math.Clamp(MathF.Round(w[i] / s), qmin, qmax) * s;
                    err[c] += (w[i] - q) * (double)(w[i] - q);
                }
                for (int c = 0; c < channels; c++)
                    if (err[c] < best[c]) { best[c] = err[c]; bestScale[c] = (float)(scales[c] * f); }
            }
            scales = bestScale;
        }
        var values = new int[w.Length];
        for (long i = 0; i < w.Length; i++)
        {
            int c = axis < 0 ? 0 : (int)(i / inner % channels);
            values[i] = (int)Math.Clamp(MathF.Round(w[i] / scales[c]), qmin, qmax);
        }
        return (values, scales);
    }

    /// <summary>The squared error of quantized weights against the float ones.</summary>
    public static double SquaredError(float[] w, int[] values, float[] scales, long[] dims, int axis)
    {
        long inner = 1;
        if (axis >= 0)
            for (int d = axis + 1; d < dims.Length; d++) inner *= dims[d];
        int channels = scales.Length;
        double err = 0;
        for (long i = 0; i < w.Length; i++)
        {
            int c = axis < 0 ? 0 : (int)(i / inner % channels);
            double d = w[i] - values[i] * (double)scales[c];
            err += d * d;
        }
        return err;
    }

    /// <summary>Transposes a row-major [rows, cols] matrix.</summary>
    public static float[] Transpose(float[] m, long rows, long cols)
    {
        var t = new float[m.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < cols; c++)
                t[c * rows + r] = m[r * cols + c];
        return t;
    }
}
