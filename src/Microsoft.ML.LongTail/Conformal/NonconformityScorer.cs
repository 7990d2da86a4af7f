namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Computes non-conformity scores in float32 with exactly the operations, in the same order, as the compiled ONNX graph
/// (<see cref="ConformalSetGraph"/>), so managed sets and ONNX sets agree bit for bit and a calibration score equals the
/// score the graph compares at prediction time. LAC and PAS sets are compiled to per-class score thresholds instead
/// (<see cref="ConformalThresholdChain"/>), derived from <see cref="PointScore"/>.
/// </summary>
internal sealed class NonconformityScorer
{
    /// <summary>Scores outside [-tol, 1 + tol] are not probabilities; APS/RAPS vectors must also sum to 1 within tol.</summary>
    public const float ProbabilityTolerance = 1e-3f;

    /// <summary>Hash of a score vector: <c>floor(p * 2^20)</c> as integers, weighted by per-class odd multipliers,
    /// summed and reduced modulo a prime.</summary>
    public const float HashScale = 1048576f;
    public const long HashModulus = 1_000_003;

    public NonconformityScorer(NonconformityScore kind, int classCount, bool randomized, float rapsLambda, int rapsKReg, float[]? priors)
    {
        Kind = kind;
        ClassCount = classCount;
        Randomized = randomized && kind is NonconformityScore.Aps or NonconformityScore.Raps;
        RapsLambda = rapsLambda;
        RapsKReg = rapsKReg;
        Priors = priors;
        HashMultipliers = new long[classCount];
        ulong state = 0x9E3779B97F4A7C15UL;
        for (int c = 0; c < classCount; c++)
        {
            // splitmix64: fixed multipliers below 2^24, so sum(floor(p*2^20) * a) stays far below 2^63 for K < 2^18.
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            HashMultipliers[c] = (long)(z % ((1UL << 24) - 1)) + 1;
        }
        RapsPenalty = new float[classCount];
        for (int j = 0; j < classCount; j++)
            RapsPenalty[j] = rapsLambda * Math.Max(0, j + 1 - rapsKReg);
    }

    public NonconformityScore Kind { get; }
    public int ClassCount { get; }
    public bool Randomized { get; }
    public float RapsLambda { get; }
    public int RapsKReg { get; }
    public float[]? Priors { get; }
    public long[] HashMultipliers { get; }
    /// <summary>RAPS: the penalty of the class at sorted position j (0-based).</summary>
    public float[] RapsPenalty { get; }

    public bool NeedsProbabilities => Kind != NonconformityScore.TopK;
    public bool NeedsRanks => Kind is NonconformityScore.Aps or NonconformityScore.Raps or NonconformityScore.TopK;

    /// <summary>Throws when a row is not a probability vector and the score needs one.</summary>
    public void Validate(ReadOnlySpan<float> p, int row, string column)
    {
        if (!NeedsProbabilities)
            return;
        double sum = 0;
        for (int j = 0; j < p.Length; j++)
        {
            if (p[j] < -ProbabilityTolerance || p[j] > 1 + ProbabilityTolerance)
                throw new InvalidOperationException(
                    $"The score column '{column}' has {p[j]} at row {row}, slot {j}, but the {Kind} score needs class probabilities in [0, 1]. " +
                    "Use the probabilities of the model (e.g. a softmax of its logits), or the TopK score, which only uses ranks.");
            sum += p[j];
        }
        if (Kind is NonconformityScore.Aps or NonconformityScore.Raps && Math.Abs(sum - 1) > ProbabilityTolerance)
            throw new InvalidOperationException(
                $"The score column '{column}' sums to {sum} at row {row}, but the {Kind} score needs class probabilities that sum to 1 (within {ProbabilityTolerance}).");
    }

    /// <summary>Whether the score of a class depends on that class's own score only (LAC, PAS), so a set is a per-class
    /// threshold on the score itself (see <see cref="ConformalThresholdChain"/>).</summary>
    public bool IsPointwise => Kind is NonconformityScore.Lac or NonconformityScore.Pas;

    /// <summary>LAC and PAS only: the score of class <paramref name="c"/> from its own score <paramref name="p"/>, the single
    /// definition used by <see cref="ScoreAll"/>, <see cref="ScoreOf"/> and the compiled thresholds.</summary>
    public float PointScore(float p, int c) => Kind == NonconformityScore.Lac ? LacScore(p) : PasScore(p, Priors![c]);

    private static float LacScore(float p) => 1f - p;

    private static float PasScore(float p, float prior) => -(p / prior);

    /// <summary>The randomisation draw u in (0, 1) of a row: a deterministic hash of its score vector.</summary>
    public float Uniform(ReadOnlySpan<float> p)
    {
        long sum = 0;
        for (int j = 0; j < p.Length; j++)
            sum += (long)MathF.Floor(p[j] * HashScale) * HashMultipliers[j];
        long h = sum % HashModulus;
        if (h < 0) h += HashModulus;
        return ((float)h + 0.5f) / HashModulus;
    }

    /// <summary>Writes the non-conformity score of every class of one row into <paramref name="s"/>.</summary>
    /// <param name="p">The row's scores.</param>
    /// <param name="s">Output, one per class.</param>
    /// <param name="order">Scratch of length K (ranks).</param>
    public void ScoreAll(ReadOnlySpan<float> p, Span<float> s, int[] order)
    {
        switch (Kind)
        {
            case NonconformityScore.Lac:
                for (int j = 0; j < p.Length; j++)
                    s[j] = LacScore(p[j]);
                return;
            case NonconformityScore.Pas:
                var priors = Priors!;
                for (int j = 0; j < p.Length; j++)
                    s[j] = PasScore(p[j], priors[j]);
                return;
        }
        SortDescending(p, order);
        if (Kind == NonconformityScore.TopK)
        {
            for (int j = 0; j < order.Length; j++)
                s[order[j]] = j + 1;
            return;
        }
        float u = Randomized ? Uniform(p) : 1f;
        float exclusive = 0f;
        bool raps = Kind == NonconformityScore.Raps;
        for (int j = 0; j < order.Length; j++)
        {
            float v = p[order[j]];
            float score = Randomized ? exclusive + u * v : exclusive + v;
            if (raps)
                score += RapsPenalty[j];
            s[order[j]] = score;
            exclusive += v;
        }
    }

    /// <summary>The non-conformity score of class <paramref name="y"/> only.</summary>
    public float ScoreOf(ReadOnlySpan<float> p, int y, int[] order, float[] scratch)
    {
        switch (Kind)
        {
            case NonconformityScore.Lac:
            case NonconformityScore.Pas:
                return PointScore(p[y], y);
            case NonconformityScore.TopK:
                {
                    // Rank of y: classes with a higher score, or an equal score and a lower index, come first.
                    float own = p[y];
                    int rank = 0;
                    for (int j = 0; j < p.Length; j++)
                    {
                        if (p[j] > own || (p[j] == own && j < y))
                            rank++;
                    }
                    return rank + 1;
                }
        }
        ScoreAll(p, scratch, order);
        return scratch[y];
    }

    /// <summary>Class indices by decreasing score, the lower index first on ties (ONNX TopK's order).</summary>
    public static void SortDescending(ReadOnlySpan<float> p, int[] order)
    {
        int k = p.Length;
        if (k <= 32)
        {
            // Insertion sort: stable, so equal scores keep increasing index order.
            for (int i = 0; i < k; i++)
            {
                float v = p[i];
                int j = i - 1;
                while (j >= 0 && p[order[j]] < v)
                {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = i;
            }
            return;
        }
        for (int i = 0; i < k; i++)
            order[i] = i;
        var values = p.ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = values[b].CompareTo(values[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
    }
}
