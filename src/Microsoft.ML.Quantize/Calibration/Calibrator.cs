using Google.Protobuf;
using Microsoft.ML.LongTail.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Quantize.Calibration;

/// <summary>A float range chosen for an activation tensor.</summary>
internal readonly record struct TensorRange(float Min, float Max);

/// <summary>
/// Runs the float model in ONNX Runtime with the tensors to quantize exposed as extra outputs and chooses their ranges.
/// Streaming with bounded memory: a first pass keeps min/max per tensor; the histogram methods make a second pass
/// into a fixed number of bins per tensor.
/// </summary>
internal static class Calibrator
{
    public static Dictionary<string, TensorRange> Calibrate(ModelProto model, IReadOnlyCollection<string> tensors,
        IEnumerable<IReadOnlyList<InputBatch>> batches, OnnxQuantizationOptions options, out int rows)
    {
        var graphInputs = new HashSet<string>(model.Graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        var augmented = model.Clone();
        var outputs = new HashSet<string>(augmented.Graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        foreach (string t in tensors)
        {
            if (!graphInputs.Contains(t) && outputs.Add(t))
                augmented.Graph.Output.Add(new ValueInfoProto { Name = t, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        }
        string[] names = tensors.ToArray();
        string[] fetched = names.Where(n => !graphInputs.Contains(n)).ToArray();

        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(augmented.ToByteArray(), sessionOptions);
        using var runOptions = new RunOptions();

        // Pass 1: min/max (or their moving averages).
        var min = names.ToDictionary(n => n, _ => float.PositiveInfinity, StringComparer.Ordinal);
        var max = names.ToDictionary(n => n, _ => float.NegativeInfinity, StringComparer.Ordinal);
        var avgMin = new Dictionary<string, double>(StringComparer.Ordinal);
        var avgMax = new Dictionary<string, double>(StringComparer.Ordinal);
        rows = 0;
        int seenBatches = 0;
        foreach (var batch in batches)
        {
            rows += (int)batch[0].Shape[0];
            seenBatches++;
            ForEachTensor(session, runOptions, batch, fetched, names, (name, data) =>
            {
                (float lo, float hi) = MinMax(data);
                min[name] = Math.Min(min[name], lo);
                max[name] = Math.Max(max[name], hi);
                double c = options.MovingAverageConstant;
                avgMin[name] = avgMin.TryGetValue(name, out double m) ? m * (1 - c) + lo * c : lo;
                avgMax[name] = avgMax.TryGetValue(name, out double M) ? M * (1 - c) + hi * c : hi;
            });
        }
        if (rows == 0)
            throw new ArgumentException("The calibration data has no rows.");

        // A tensor with no finite value in any batch (all NaN, or empty) has no range to quantize with: say which.
        foreach (string n in names)
        {
            if (!(min[n] <= max[n]))
                throw new InvalidOperationException(
                    $"The calibration data gave tensor '{n}' no finite value in any of its {rows} rows (all NaN or empty); it cannot be calibrated. Exclude its node or check the calibration data.");
        }
        var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        if (options.CalibrationMethod == CalibrationMethod.MinMax)
        {
            foreach (string n in names)
                ranges[n] = options.MovingAverage ? new TensorRange((float)avgMin[n], (float)avgMax[n]) : new TensorRange(min[n], max[n]);
            return ranges;
        }

        // Pass 2: histograms over [min(min, 0), max(max, 0)].
        int bins = Math.Max(64, options.HistogramBins);
        var hist = names.ToDictionary(n => n, _ => new double[bins], StringComparer.Ordinal);
        foreach (var batch in batches)
        {
            ForEachTensor(session, runOptions, batch, fetched, names, (name, data) =>
            {
                float lo = Math.Min(min[name], 0f), hi = Math.Max(max[name], 0f);
                if (hi <= lo) return;
                double scale = bins / (double)(hi - lo);
                var h = hist[name];
                foreach (float v in data)
                {
                    int b = (int)((v - lo) * scale);
                    h[Math.Clamp(b, 0, bins - 1)]++;
                }
            });
        }
        foreach (string n in names)
        {
            float lo = Math.Min(min[n], 0f), hi = Math.Max(max[n], 0f);
            ranges[n] = hi <= lo ? new TensorRange(lo, hi) : options.CalibrationMethod switch
            {
                CalibrationMethod.Percentile => RangeSearch.Percentile(hist[n], lo, hi, options.Percentile),
                CalibrationMethod.Entropy => RangeSearch.Entropy(hist[n], lo, hi, 256, options.SearchSteps),
                _ => RangeSearch.Mse(hist[n], lo, hi, 256, options.SearchSteps),
            };
        }
        return ranges;
    }

    private static void ForEachTensor(InferenceSession session, RunOptions runOptions, IReadOnlyList<InputBatch> batch, string[] fetched,
        string[] names, Action<string, ReadOnlySpan<float>> visit)
    {
        var values = batch.Select(b => OrtValue.CreateTensorValueFromMemory(b.Data, b.Shape)).ToArray();
        try
        {
            foreach (var b in batch)
                if (Array.IndexOf(names, b.Name) >= 0)
                    visit(b.Name, b.Data);
            if (fetched.Length == 0)
                return;
            using var results = session.Run(runOptions, batch.Select(b => b.Name).ToArray(), values, fetched);
            for (int i = 0; i < fetched.Length; i++)
                visit(fetched[i], results[i].GetTensorDataAsSpan<float>());
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static (float Min, float Max) MinMax(ReadOnlySpan<float> data)
    {
        if (data.Length == 0) return (0, 0);
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (float v in data)
        {
            if (float.IsNaN(v)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        return (lo, hi);
    }
}

/// <summary>Range choices from a histogram over [lo, hi] (lo &lt;= 0 &lt;= hi).</summary>
internal static class RangeSearch
{
    public static TensorRange Percentile(double[] hist, float lo, float hi, double percentile)
    {
        double total = hist.Sum();
        double width = (hi - lo) / hist.Length;
        double q = Math.Clamp(percentile, 50, 100) / 100;
        double cum = 0;
        float rmin = lo, rmax = hi;
        for (int i = 0; i < hist.Length; i++)
        {
            cum += hist[i];
            if (cum >= (1 - q) * total) { rmin = (float)(lo + i * width); break; }
        }
        cum = 0;
        for (int i = hist.Length - 1; i >= 0; i--)
        {
            cum += hist[i];
            if (cum >= (1 - q) * total) { rmax = (float)(lo + (i + 1) * width); break; }
        }
        return new TensorRange(Math.Min(rmin, 0f), Math.Max(rmax, 0f));
    }

    /// <summary>Candidate bin ranges [start, end): the range shrunk towards zero by fractions 1/steps .. 1.</summary>
    private static IEnumerable<(int Start, int End)> Candidates(int bins, float lo, float hi, int steps, int minimumBins)
    {
        double zero = -lo / (double)(hi - lo) * bins;
        for (int k = steps; k >= 1; k--)
        {
            double f = k / (double)steps;
            int start = (int)Math.Floor(zero - f * zero), end = (int)Math.Ceiling(zero + f * (bins - zero));
            start = Math.Clamp(start, 0, bins - 1);
            end = Math.Clamp(end, start + 1, bins);
            if (end - start < minimumBins && k < steps) yield break;
            yield return (start, end);
        }
    }

    private static TensorRange ToRange(int start, int end, int bins, float lo, float hi)
    {
        double width = (hi - lo) / (double)bins;
        return new TensorRange(Math.Min(0f, (float)(lo + start * width)), Math.Max(0f, (float)(lo + end * width)));
    }

    /// <summary>KL-divergence search (TensorRT's method generalised to asymmetric ranges): for each candidate, P is the
    /// clipped histogram with the outliers folded into its edge bins and Q the histogram quantized to <paramref name="levels"/>
    /// levels and expanded back over its non-empty bins.</summary>
    public static TensorRange Entropy(double[] hist, float lo, float hi, int levels, int steps)
    {
        int bins = hist.Length;
        double best = double.PositiveInfinity;
        (int s, int e) choice = (0, bins);
        var p = new double[bins];
        var q = new double[bins];
        foreach (var (start, end) in Candidates(bins, lo, hi, steps, Math.Min(levels, bins)))
        {
            int n = end - start;
            Array.Copy(hist, start, p, 0, n);
            double left = 0, right = 0;
            for (int i = 0; i < start; i++) left += hist[i];
            for (int i = end; i < bins; i++) right += hist[i];
            p[0] += left;
            p[n - 1] += right;
            // Q: merge the clipped bins (without the outliers) into `levels` chunks, spread over non-empty bins.
            Array.Clear(q, 0, n);
            for (int c = 0; c < levels && c < n; c++)
            {
                int a = (int)((long)c * n / Math.Min(levels, n)), b = (int)((long)(c + 1) * n / Math.Min(levels, n));
                double sum = 0;
                int nonEmpty = 0;
                for (int i = a; i < b; i++)
                {
                    sum += hist[start + i];
                    if (hist[start + i] > 0) nonEmpty++;
                }
                if (nonEmpty == 0) continue;
                for (int i = a; i < b; i++)
                    if (hist[start + i] > 0) q[i] = sum / nonEmpty;
            }
            double kl = KullbackLeibler(p, q, n);
            if (kl < best)
            {
                best = kl;
                choice = (start, end);
            }
        }
        return ToRange(choice.s, choice.e, bins, lo, hi);
    }

    private static double KullbackLeibler(double[] p, double[] q, int n)
    {
        double sp = 0, sq = 0;
        for (int i = 0; i < n; i++) { sp += p[i]; sq += q[i]; }
        if (sp <= 0 || sq <= 0) return double.PositiveInfinity;
        const double eps = 1e-10;
        double kl = 0;
        for (int i = 0; i < n; i++)
        {
            if (p[i] <= 0) continue;
            double pi = p[i] / sp, qi = Math.Max(q[i] / sq, eps);
            kl += pi * Math.Log(pi / qi);
        }
        return kl;
    }

    /// <summary>Expected squared error of quantizing the histogram's values to <paramref name="levels"/> levels over each
    /// candidate range: clipping error outside, uniform rounding noise (step²/12) inside.</summary>
    public static TensorRange Mse(double[] hist, float lo, float hi, int levels, int steps)
    {
        int bins = hist.Length;
        double width = (hi - lo) / (double)bins;
        double best = double.PositiveInfinity;
        (int s, int e) choice = (0, bins);
        foreach (var (start, end) in Candidates(bins, lo, hi, steps, 1))
        {
            double a = lo + start * width, b = lo + end * width;
            double step = (b - a) / (levels - 1);
            double err = 0;
            for (int i = 0; i < bins; i++)
            {
                if (hist[i] == 0) continue;
                double x = lo + (i + 0.5) * width;
                double e = x < a ? (a - x) * (a - x) : x > b ? (x - b) * (x - b) : step * step / 12;
                err += hist[i] * e;
            }
            if (err < best)
            {
                best = err;
                choice = (start, end);
            }
        }
        return ToRange(choice.s, choice.e, bins, lo, hi);
    }
}
