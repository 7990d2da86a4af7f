namespace Microsoft.ML.RobustLoss;

/// <summary>Draws the row order of one epoch: a shuffled permutation, or class-balanced / square-root draws with replacement.</summary>
internal sealed class BatchSampler
{
    private readonly int _rows;
    private readonly BatchSampling _sampling;
    private readonly int[][]? _rowsByClass;
    private readonly double[]? _cumulative;

    public BatchSampler(TrainingSet data, BatchSampling sampling)
    {
        _rows = data.Rows;
        _sampling = data.Classes is null ? BatchSampling.Uniform : sampling;
        if (_sampling == BatchSampling.Uniform)
            return;
        var classes = data.Classes!;
        int k = (int)classes.Max() + 1;
        var lists = Enumerable.Range(0, k).Select(_ => new List<int>()).ToArray();
        for (int r = 0; r < _rows; r++)
            lists[classes[r]].Add(r);
        _rowsByClass = lists.Select(l => l.ToArray()).ToArray();
        var weights = _rowsByClass.Select(r => r.Length == 0 ? 0 : _sampling == BatchSampling.ClassBalanced ? 1 : Math.Sqrt(r.Length)).ToArray();
        double total = weights.Sum();
        _cumulative = new double[k];
        double acc = 0;
        for (int c = 0; c < k; c++)
        {
            acc += weights[c] / total;
            _cumulative[c] = acc;
        }
    }

    public int[] NextEpoch(Random random)
    {
        var order = new int[_rows];
        if (_sampling == BatchSampling.Uniform)
        {
            for (int i = 0; i < order.Length; i++)
                order[i] = i;
            random.Shuffle(order);
            return order;
        }
        for (int i = 0; i < order.Length; i++)
        {
            double u = random.NextDouble();
            int c = Array.BinarySearch(_cumulative!, u);
            c = c < 0 ? ~c : c;
            c = Math.Min(c, _rowsByClass!.Length - 1);
            while (_rowsByClass[c].Length == 0)
                c = (c + 1) % _rowsByClass.Length;
            var members = _rowsByClass[c];
            order[i] = members[random.Next(members.Length)];
        }
        return order;
    }
}
