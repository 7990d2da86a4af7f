namespace Microsoft.ML.LongTail.Evaluation;

/// <summary>
/// Streams (confidence, correct) pairs into equal-width bins for the expected calibration error.
/// Binning matches scikit-learn / numpy: edges = linspace(0, 1, B + 1), bin b holds (edges[b], edges[b + 1]],
/// a confidence of 0 goes to bin 0 (<c>np.digitize(conf, edges[1:-1], right=True)</c>).
/// </summary>
internal sealed class CalibrationAccumulator
{
    private readonly int _bins;
    private readonly double[] _edges;
    private readonly long[] _count;
    private readonly long[] _correct;
    private readonly double[] _confidenceSum;
    private long _rows;

    public CalibrationAccumulator(int bins)
    {
        _bins = bins;
        _edges = new double[bins + 1];
        // numpy.linspace computes i * step + start and pins the last edge to stop; doing the same keeps
        // rows that sit exactly on an edge in the same bin as the reference.
        double step = 1.0 / bins;
        for (int i = 0; i < bins; i++)
            _edges[i] = i * step;
        _edges[bins] = 1.0;
        _count = new long[bins];
        _correct = new long[bins];
        _confidenceSum = new double[bins];
    }

    /// <summary>Cleared when a score outside [0, 1] shows the scores are not probabilities.</summary>
    public bool IsValid { get; private set; } = true;

    public void Invalidate() => IsValid = false;

    /// <summary>Adds a row; <paramref name="confidence"/> must lie in [0, 1].</summary>
    public void Add(double confidence, bool correct)
    {
        int b = (int)(confidence * _bins);
        if (b >= _bins)
            b = _bins - 1;
        // Snap to the half-open convention (edges[b], edges[b+1]]; the estimate above is off by at most one.
        while (b > 0 && confidence <= _edges[b])
            b--;
        while (b < _bins - 1 && confidence > _edges[b + 1])
            b++;
        _count[b]++;
        _confidenceSum[b] += confidence;
        if (correct)
            _correct[b]++;
        _rows++;
    }

    public (double? Ece, CalibrationBin[] Bins) Build()
    {
        if (!IsValid || _rows == 0)
            return (null, Array.Empty<CalibrationBin>());
        var bins = new CalibrationBin[_bins];
        double ece = 0;
        for (int b = 0; b < _bins; b++)
        {
            if (_count[b] == 0)
            {
                bins[b] = new CalibrationBin(_edges[b], _edges[b + 1], 0, null, null);
                continue;
            }
            double meanConfidence = _confidenceSum[b] / _count[b];
            double accuracy = (double)_correct[b] / _count[b];
            ece += Math.Abs(accuracy - meanConfidence) * ((double)_count[b] / _rows);
            bins[b] = new CalibrationBin(_edges[b], _edges[b + 1], _count[b], meanConfidence, accuracy);
        }
        return (ece, bins);
    }
}
