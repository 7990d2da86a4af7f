using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.LongTail.Data;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.LongTail.Resampling;

/// <summary>
/// Instance hardness threshold (Smith, Martinez and Giraud-Carrier, 2014), as imbalanced-learn's
/// <c>InstanceHardnessThreshold</c>: under-samples each selected class by removing the rows a classifier finds hardest,
/// those with the lowest cross-validated probability of their own class.
/// </summary>
/// <remarks>
/// <para>The rows are split into <see cref="InstanceHardnessThresholdOptions.NumberOfFolds"/> stratified folds; each
/// row's probability of its own class comes from the model (<see cref="InstanceHardnessThresholdOptions.Trainer"/>)
/// trained on the other folds. A selected class with <c>n</c> rows and target <c>t</c> keeps the rows whose probability
/// is at least numpy's <c>percentile(p, 100 (1 - t / n))</c> (linear interpolation) of its rows' probabilities, as
/// imbalanced-learn: usually exactly <c>t</c> rows, but more when probabilities tie at the threshold or the threshold
/// falls exactly on a value, so a class can end above its target (never above its size).</para>
/// <para>Output, as imbalanced-learn's: rows grouped by class in class order, input order within a class.</para>
/// <para>Differences from imbalanced-learn: the folds are this library's stratified folds (not scikit-learn's
/// <c>StratifiedKFold</c> shuffle), the default classifier is a normalised <c>SdcaMaximumEntropy</c> rather than a
/// random forest, and the probabilities are float32; the threshold rule itself is the same.</para>
/// </remarks>
public sealed class InstanceHardnessThreshold : Sampler
{
    private const string LabelName = "Label";
    private const string FeaturesName = "Features";

    private readonly InstanceHardnessThresholdOptions _options;

    /// <summary>Creates the sampler.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of folds is less than 2 or the trainer kind is unknown.</exception>
    public InstanceHardnessThreshold(InstanceHardnessThresholdOptions options) : base(options)
    {
        CheckOptions(options);
        _options = options;
    }

    private static void CheckOptions(InstanceHardnessThresholdOptions options)
    {
        if (options.NumberOfFolds < 2)
            throw new ArgumentOutOfRangeException(nameof(InstanceHardnessThresholdOptions.NumberOfFolds), options.NumberOfFolds,
                "InstanceHardnessThreshold NumberOfFolds must be at least 2.");
        if (!Enum.IsDefined(options.TrainerKind))
            throw new ArgumentOutOfRangeException(nameof(InstanceHardnessThresholdOptions.TrainerKind), options.TrainerKind,
                "InstanceHardnessThreshold TrainerKind must be Multiclass or Binary.");
    }

    /// <inheritdoc/>
    public override SamplingKind Kind => SamplingKind.UnderSampling;

    /// <inheritdoc/>
    protected override bool ReachesTargetCounts => false;

    /// <inheritdoc/>
    protected override void Validate(LabeledFeatures set, int[] targetCounts)
    {
        CheckOptions(_options);
        if (set.RowCount < _options.NumberOfFolds)
            throw new InvalidOperationException(
                $"InstanceHardnessThreshold with NumberOfFolds = {_options.NumberOfFolds.ToString(CultureInfo.InvariantCulture)} needs at least that many rows, " +
                $"but the data has {set.RowCount.ToString(CultureInfo.InvariantCulture)}.");
        if (_options.TrainerKind == HardnessTrainerKind.Binary && set.ClassCount != 2)
            throw new InvalidOperationException(
                $"InstanceHardnessThreshold with a binary trainer (TrainerKind = Binary) needs a label with two classes, but '{set.LabelColumnName}' has " +
                $"{set.ClassCount.ToString(CultureInfo.InvariantCulture)}. Use a multiclass trainer.");
    }

    /// <inheritdoc/>
    protected override LabeledFeatures ResampleCore(LabeledFeatures set, int[] targetCounts, Random rng)
    {
        var selected = Options.Strategy.GetUnderSamplingSelection(set.ClassCounts, set.Label.ClassNames, targetCounts);
        var probabilities = CrossValidatedProbabilities(set, rng.Next());
        var byClass = RowsByClass(set);
        var keep = new List<int>(set.RowCount);
        for (int c = 0; c < byClass.Length; c++)
        {
            var rows = byClass[c];
            if (!selected[c])
            {
                keep.AddRange(rows);
                continue;
            }
            var p = rows.Select(r => probabilities[r]).ToArray();
            double threshold = Threshold(p, targetCounts[c]);
            keep.AddRange(rows.Where((_, i) => p[i] >= threshold));
        }
        return KeepRows(set, keep);
    }

    /// <summary>
    /// imbalanced-learn's threshold of a class: numpy's <c>np.percentile(p, (1 - target / n) * 100)</c> with its default
    /// linear method (numpy 1.22 and later), operation for operation, so that the same probabilities give the same
    /// threshold bit for bit.
    /// </summary>
    /// <param name="probabilities">The probabilities of the class's own rows (<c>n</c> of them, at least one).</param>
    /// <param name="target">The class's target count.</param>
    internal static double Threshold(double[] probabilities, int target)
    {
        int n = probabilities.Length;
        double q = (1.0 - ((double)target / n)) * 100.0;
        return Percentile(probabilities, q);
    }

    /// <summary>numpy's <c>percentile(values, q)</c>, method "linear".</summary>
    internal static double Percentile(double[] values, double q)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double quantile = q / 100;
        double virtualIndex = (n - 1) * quantile;
        if (virtualIndex >= n - 1)
            return sorted[n - 1];
        if (virtualIndex < 0)
            return sorted[0];
        double previousIndex = Math.Floor(virtualIndex);
        double a = sorted[(int)previousIndex], b = sorted[(int)previousIndex + 1];
        double gamma = virtualIndex - previousIndex;
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    /// <summary>Each row's probability of its own class, from the model trained on the other folds.</summary>
    private double[] CrossValidatedProbabilities(LabeledFeatures set, int seed)
    {
        int folds = _options.NumberOfFolds, d = set.FeatureCount;
        var fold = StratifiedFolds.Assign(set.Labels, folds, seed);
        var probabilities = new double[set.RowCount];
        bool binary = _options.TrainerKind == HardnessTrainerKind.Binary;
        var schema = SchemaDefinition.Create(binary ? typeof(BinaryRow) : typeof(KeyRow));
        schema[FeaturesName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        if (!binary)
            schema[LabelName].ColumnType = new KeyDataViewType(typeof(uint), set.ClassCount);
        // The folds are independent: each has its own context, seeded from the fold's number, so the result does not
        // depend on the order in which they run, and they run in parallel.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism };
        try
        {
            Parallel.For(0, folds, parallel, f => ScoreFold(set, fold, f, seed, binary, schema, probabilities));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Surface the fold's own exception (a bad trainer, say), as the sequential loop would.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return probabilities;
    }

    /// <summary>Trains on every fold but <paramref name="f"/> and writes fold <paramref name="f"/>'s probabilities.</summary>
    private void ScoreFold(LabeledFeatures set, int[] fold, int f, int seed, bool binary, SchemaDefinition schema, double[] probabilities)
    {
        var ml = new MLContext(unchecked(seed + f));
        var train = Enumerable.Range(0, set.RowCount).Where(i => fold[i] != f).ToArray();
        var test = Enumerable.Range(0, set.RowCount).Where(i => fold[i] == f).ToArray();
        if (test.Length == 0)
            return;
        var estimator = _options.Trainer is { } make ? make(ml) : DefaultTrainer(ml);
        if (estimator is null)
            throw new InvalidOperationException("InstanceHardnessThreshold Trainer returned null.");
        var model = estimator.Fit(View(ml, set, train, binary, schema));
        var scored = model.Transform(View(ml, set, test, binary, schema));
        string column = binary ? "Probability" : "Score";
        var output = scored.Schema.GetColumnOrNull(column) ?? throw new InvalidOperationException(
            $"InstanceHardnessThreshold's {(binary ? "binary" : "multiclass")} trainer must output a '{column}' column" +
            (binary ? " (a calibrated binary trainer)." : " (one probability per class)."));
        using var cursor = scored.GetRowCursor([output]);
        int next = 0;
        if (binary)
        {
            if (output.Type != NumberDataViewType.Single)
                throw new InvalidOperationException($"InstanceHardnessThreshold expects a float 'Probability' column, but it is {output.Type}.");
            var getter = cursor.GetGetter<float>(output);
            float p = 0;
            while (cursor.MoveNext())
            {
                getter(ref p);
                int row = test[next++];
                probabilities[row] = set.Labels[row] == 1 ? p : 1 - (double)p;
            }
        }
        else
        {
            if (output.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != set.ClassCount)
                throw new InvalidOperationException(
                    $"InstanceHardnessThreshold expects a 'Score' float vector of {set.ClassCount.ToString(CultureInfo.InvariantCulture)} class probabilities, but it is {output.Type}.");
            var getter = cursor.GetGetter<VBuffer<float>>(output);
            VBuffer<float> scores = default;
            while (cursor.MoveNext())
            {
                getter(ref scores);
                int row = test[next++];
                probabilities[row] = scores.GetItemOrDefault(set.Labels[row]);
            }
        }
        if (next != test.Length)
            throw new InvalidOperationException($"InstanceHardnessThreshold's model scored {next.ToString(CultureInfo.InvariantCulture)} rows of {test.Length.ToString(CultureInfo.InvariantCulture)}.");
    }

    private static IEstimator<ITransformer> DefaultTrainer(MLContext ml) =>
        ml.Transforms.NormalizeMinMax(FeaturesName)
            // SDCA passes over the data many times: a cached view makes each pass an array walk.
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = LabelName, FeatureColumnName = FeaturesName, NumberOfThreads = 1, MaximumNumberOfIterations = 20,
            }));

    private static IDataView View(MLContext ml, LabeledFeatures set, int[] rows, bool binary, SchemaDefinition schema)
    {
        return binary
            ? ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryRow { Label = set.Labels[r] == 1, Features = set.GetRow(r).ToArray() }).ToArray(), schema)
            : ml.Data.LoadFromEnumerable(rows.Select(r => new KeyRow { Label = (uint)set.Labels[r] + 1, Features = set.GetRow(r).ToArray() }).ToArray(), schema);
    }

    private sealed class KeyRow
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }
        public float[] Features { get; set; } = [];
    }
}
