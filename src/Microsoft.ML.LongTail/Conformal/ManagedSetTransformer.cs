using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Conformal;

/// <summary>
/// Wraps the stock estimator of a rank-score set chain (APS, RAPS, top-k, or PAS per group: an ONNX graph that
/// <c>OnnxTransformer</c> runs once per row, seconds per million rows) so that the fitted transformer computes the set column
/// with the managed <see cref="ConformalSetPredictor"/> when it transforms a data view in this process.
/// </summary>
internal sealed class ManagedSetEstimator(IEstimator<ITransformer> stock, ConformalSetPredictor predictor, string scoreColumn,
    string outputColumn, string? groupColumn) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input) =>
        new ManagedSetTransformer(stock.Fit(input), predictor, scoreColumn, outputColumn, groupColumn);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => stock.GetOutputSchema(inputSchema);
}

/// <summary>
/// The fitted rank-score set chain with a managed <see cref="Transform"/>: the schema, the row mapper (used by
/// <c>PredictionEngine</c>) and the saved model are the stock chain's, so a saved model holds no type of this assembly and loads
/// anywhere ML.NET runs (as the stock ONNX chain). Only the set column of <see cref="Transform"/>'s view is computed here, by
/// <see cref="ConformalSetPredictor"/>, whose scores are the ONNX graph's operations in the same order (the same sets, bit for
/// bit: the tests compare both); every other column is the stock view's.
/// </summary>
internal sealed class ManagedSetTransformer : ITransformer
{
    private readonly ITransformer _stock;
    private readonly ConformalSetPredictor _predictor;
    private readonly string _scoreColumn;
    private readonly string _outputColumn;
    private readonly string? _groupColumn;

    public ManagedSetTransformer(ITransformer stock, ConformalSetPredictor predictor, string scoreColumn, string outputColumn, string? groupColumn)
    {
        _stock = stock;
        _predictor = predictor;
        _scoreColumn = scoreColumn;
        _outputColumn = outputColumn;
        _groupColumn = predictor.IsGroupConditional ? groupColumn : null;
    }

    /// <summary>The stock chain this transformer saves as.</summary>
    internal ITransformer Stock => _stock;

    public bool IsRowToRowMapper => _stock.IsRowToRowMapper;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _stock.GetOutputSchema(inputSchema);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _stock.GetRowToRowMapper(inputSchema);

    // Saving writes the stock chain itself, so loading needs nothing of this assembly.
    void ICanSaveModel.Save(ModelSaveContext ctx) => _stock.Save(ctx);

    public IDataView Transform(IDataView input)
    {
        var output = _stock.Transform(input);
        var schema = output.Schema;
        // The set is computed from the score (and group) columns of the output view, which the stock chain passes through;
        // when the set column replaces one of them under the same name, the stock view is returned as it is.
        if (_outputColumn == _scoreColumn || _outputColumn == _groupColumn)
            return output;
        var set = schema[_outputColumn];
        var score = schema[_scoreColumn];
        DataViewSchema.Column? group = _groupColumn is null ? null : schema[_groupColumn];
        int k = _predictor.ClassCount;
        if (!IsFloatVector(set.Type, k) || !IsFloatVector(score.Type, k) || group is { Type: not KeyDataViewType })
            return output;
        return new View(output, _predictor, set, score, group);
    }

    private static bool IsFloatVector(DataViewType type, int size) =>
        type is VectorDataViewType vector && vector.ItemType.RawType == typeof(float) && vector.Size == size;

    /// <summary>The stock view with the set column's getter replaced.</summary>
    private sealed class View(IDataView inner, ConformalSetPredictor predictor, DataViewSchema.Column set, DataViewSchema.Column score,
        DataViewSchema.Column? group) : IDataView
    {
        public bool CanShuffle => inner.CanShuffle;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var (innerColumns, wantSet) = InnerColumns(columnsNeeded);
            return Wrap(inner.GetRowCursor(innerColumns, rand), wantSet);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            var (innerColumns, wantSet) = InnerColumns(columnsNeeded);
            return inner.GetRowCursorSet(innerColumns, n, rand).Select(c => Wrap(c, wantSet)).ToArray();
        }

        // The stock set column is never asked for (so the ONNX graph never runs); the score and group columns are when it is wanted.
        private (List<DataViewSchema.Column> Columns, bool WantSet) InnerColumns(IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            var needed = columnsNeeded.ToList();
            bool wantSet = needed.Any(c => c.Index == set.Index);
            var columns = needed.Where(c => c.Index != set.Index).ToList();
            if (wantSet)
            {
                columns.Add(score);
                if (group is { } g)
                    columns.Add(g);
            }
            return (columns, wantSet);
        }

        private DataViewRowCursor Wrap(DataViewRowCursor cursor, bool wantSet) =>
            wantSet ? new Cursor(cursor, predictor, set, score, group) : new Cursor(cursor, null, set, score, group);
    }

    /// <summary>Delegates to the stock cursor; the set column (when active) comes from the managed predictor.</summary>
    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;
        private readonly ConformalSetPredictor? _predictor;
        private readonly DataViewSchema.Column _set;
        private readonly ValueGetter<VBuffer<float>>? _scoreGetter;
        private readonly Func<int>? _group;
        private readonly float[] _dense;
        private readonly float[] _nonconformity;
        private readonly int[] _order;
        private readonly bool[] _inSet;
        private VBuffer<float> _scores;
        private long _computedPosition = -1;

        public Cursor(DataViewRowCursor inner, ConformalSetPredictor? predictor, DataViewSchema.Column set, DataViewSchema.Column score,
            DataViewSchema.Column? group)
        {
            _inner = inner;
            _predictor = predictor;
            _set = set;
            int k = predictor?.ClassCount ?? 0;
            _dense = new float[k];
            _nonconformity = new float[k];
            _order = new int[k];
            _inSet = new bool[k];
            if (predictor is null)
                return;
            _scoreGetter = inner.GetGetter<VBuffer<float>>(score);
            if (group is { } g)
                _group = GroupReader(inner, g);
        }

        public override DataViewSchema Schema => _inner.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override bool MoveNext() => _inner.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _set.Index ? _predictor is not null : _inner.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _set.Index)
                return _inner.GetGetter<TValue>(column);
            if (_predictor is null)
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>, not {typeof(TValue).Name}.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                Compute();
                int k = _inSet.Length;
                var editor = VBufferEditor.Create(ref value, k);
                for (int j = 0; j < k; j++)
                    editor.Values[j] = _inSet[j] ? 1f : 0f;
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(object)getter;
        }

        private void Compute()
        {
            if (_computedPosition == _inner.Position)
                return;
            _scoreGetter!(ref _scores);
            ReadOnlySpan<float> p;
            if (_scores.IsDense)
            {
                p = _scores.GetValues();
            }
            else
            {
                _scores.CopyTo(_dense);
                p = _dense;
            }
            _predictor!.PredictInto(p, _group?.Invoke() ?? -1, _inSet, _nonconformity, _order);
            _computedPosition = _inner.Position;
        }

        // The 0-based group of a key (raw - 1); a missing key (0) gives -1, which the predictor maps to the full set.
        private static Func<int> GroupReader(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var raw = column.Type.RawType;
            if (raw == typeof(uint)) return Reader<uint>(cursor, column, v => v);
            if (raw == typeof(ushort)) return Reader<ushort>(cursor, column, v => v);
            if (raw == typeof(byte)) return Reader<byte>(cursor, column, v => v);
            return Reader<ulong>(cursor, column, v => v);
        }

        private static Func<int> Reader<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, ulong> toRaw)
        {
            var getter = cursor.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                getter(ref value);
                ulong key = toRaw(value);
                return key == 0 || key > int.MaxValue ? -1 : (int)(key - 1);
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
