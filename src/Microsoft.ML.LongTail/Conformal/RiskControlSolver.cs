namespace Microsoft.ML.LongTail.Conformal;

/// <summary>Finds the smallest lambda with <c>sum_i w~_i L_i(lambda) + w~_test B &lt;= alpha</c> for sets <c>{k : s_k &lt;= lambda}</c>.</summary>
internal static class RiskControlSolver
{
    public static float Solve(NonconformityScorer scorer, CalibrationData data, double[]? weights, ConformalRiskControlOptions options)
    {
        int n = data.RowCount, k = data.ClassCount;
        double alpha = options.Alpha, bound = options.LossBound;

        // Unweighted miscoverage of a single label with B = 1 is split conformal: exact integers.
        if (weights is null && data.MultiHot is null && bound == 1 &&
            options.Loss is ConformalLoss.Miscoverage or ConformalLoss.FalseNegativeRate)
        {
            var scores = ConformalValidation.TrueClassScores(scorer, data);
            return ConformalQuantile.Threshold(scores, ConformalQuantile.QuantileIndex(n, options.Alpha));
        }

        double totalWeight = 1; // the test point
        for (int i = 0; i < n; i++)
            totalWeight += weights is null ? 1 : weights[i];
        double testShare = bound / totalWeight;

        // s for every class of every row.
        var s = new float[(long)n * k];
        var order = new int[k];
        for (int i = 0; i < n; i++)
            scorer.ScoreAll(data.Row(i), s.AsSpan(i * k, k), order);

        if (options.Loss == ConformalLoss.Custom)
            return SolveCustom(s, data, weights, totalWeight, testShare, options);

        // Events (value, weight): the loss drops by weight when lambda reaches value.
        var values = new List<float>(n);
        var masses = new List<double>(n);
        var positives = new List<int>(k);
        for (int i = 0; i < n; i++)
        {
            double w = (weights is null ? 1 : weights[i]) / totalWeight;
            if (w == 0) continue;
            positives.Clear();
            if (data.MultiHot is { } hot)
            {
                for (int j = 0; j < k; j++)
                    if (hot[i * k + j]) positives.Add(j);
            }
            else
            {
                positives.Add(data.Labels[i]);
            }
            if (positives.Count == 0) continue;
            if (options.Loss == ConformalLoss.Miscoverage)
            {
                float max = float.NegativeInfinity;
                foreach (int j in positives) max = Math.Max(max, s[i * k + j]);
                values.Add(max);
                masses.Add(w);
            }
            else
            {
                foreach (int j in positives)
                {
                    values.Add(s[i * k + j]);
                    masses.Add(w / positives.Count);
                }
            }
        }
        var valueArray = values.ToArray();
        var massArray = masses.ToArray();
        Array.Sort(valueArray, massArray);
        double risk = 0;
        foreach (double m in massArray) risk += m;
        if (risk + testShare <= alpha)
            return float.NegativeInfinity;
        for (int e = 0; e < valueArray.Length;)
        {
            float v = valueArray[e];
            while (e < valueArray.Length && valueArray[e] == v)
                risk -= massArray[e++];
            if (Math.Max(risk, 0) + testShare <= alpha)
                return v;
        }
        return float.PositiveInfinity;
    }

    private static float SolveCustom(float[] s, CalibrationData data, double[]? weights, double totalWeight, double testShare,
        ConformalRiskControlOptions options)
    {
        int n = data.RowCount, k = data.ClassCount;
        var loss = options.CustomLoss!;
        var candidates = (float[])s.Clone();
        Array.Sort(candidates);
        int distinct = 0;
        for (int i = 0; i < candidates.Length; i++)
            if (i == 0 || candidates[i] != candidates[distinct - 1]) candidates[distinct++] = candidates[i];
        var set = new bool[k];
        var labels = new bool[k];

        double Risk(float lambda)
        {
            double risk = testShare;
            for (int i = 0; i < n; i++)
            {
                double w = (weights is null ? 1 : weights[i]) / totalWeight;
                for (int j = 0; j < k; j++)
                {
                    set[j] = s[i * k + j] <= lambda;
                    labels[j] = data.MultiHot is { } hot ? hot[i * k + j] : data.Labels[i] == j;
                }
                double l = loss(set, labels);
                if (!(l >= 0 && l <= options.LossBound))
                    throw new InvalidOperationException(
                        $"{nameof(ConformalRiskControlOptions)}.CustomLoss returned {l} at row {i}; it must lie in [0, LossBound = {options.LossBound}].");
                risk += w * l;
            }
            return risk;
        }

        if (Risk(float.PositiveInfinity) > options.Alpha)
            return float.PositiveInfinity;
        if (Risk(float.NegativeInfinity) <= options.Alpha)
            return float.NegativeInfinity;
        // Smallest candidate whose risk is within alpha (the risk does not increase with lambda).
        int lo = 0, hi = distinct; // candidate hi (== distinct) stands for +infinity, known to satisfy.
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (Risk(candidates[mid]) <= options.Alpha) hi = mid; else lo = mid + 1;
        }
        return lo == distinct ? float.PositiveInfinity : candidates[lo];
    }
}
