using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>
/// A data view over <see cref="LabeledFeatures"/> arrays, with the label and feature columns' original types and
/// annotations, and optionally every other column of the source carried through row by row.
/// </summary>
internal sealed class ArrayDataView : IDataView
{
    private readonly LabeledFeatures _rows;
    private readonly ColumnStore?[] _passThrough;

    private ArrayDataView(LabeledFeatures rows, DataViewSchema schema, ColumnStore?[] passThrough)
    {
        _rows = rows;
        Schema = schema;
        _passThrough = passThrough;
    }

    /// <summary>True: the rows are in arrays, so a cursor can visit them in any order. Trainers that shuffle (SDCA, say)
    /// need it: resampled rows come grouped by class, and visited in that order they train poorly.</summary>
    public bool CanShuffle => true;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows.RowCount;

    /// <param name="rows">The rows.</param>
    /// <param name="source">The data view the rows were read from, for pass-through columns; <see langword="null"/> for
    /// the label and feature columns only.</param>
    /// <param name="passThrough">When given, only the source's columns it accepts (besides the label and features) are
    /// carried through; otherwise every visible column is.</param>
    public static ArrayDataView Create(LabeledFeatures rows, IDataView? source, Func<string, bool>? passThrough = null)
    {
        var builder = new DataViewSchema.Builder();
        if (source is null)
        {
            builder.AddColumn(rows.LabelColumnName, rows.Label.ColumnType, rows.Label.Annotations);
            builder.AddColumn(rows.FeatureColumnName, rows.FeatureColumnType, rows.FeatureAnnotations);
            return new ArrayDataView(rows, builder.ToSchema(), new ColumnStore?[2]);
        }

        // Pass-through needs random access by source row, which a data view does not give: copy those columns once.
        var visible = source.Schema.Where(c => !c.IsHidden && (passThrough is null || c.Name == rows.LabelColumnName
            || c.Name == rows.FeatureColumnName || passThrough(c.Name))).ToArray();
        var others = visible.Where(c => c.Name != rows.LabelColumnName && c.Name != rows.FeatureColumnName).ToArray();
        var stores = ColumnStore.ReadAll(source, others, rows.SourceRowCount);
        var stored = new ColumnStore?[visible.Length];
        for (int i = 0, o = 0; i < visible.Length; i++)
        {
            var column = visible[i];
            if (column.Name == rows.LabelColumnName)
                builder.AddColumn(column.Name, rows.Label.ColumnType, rows.Label.Annotations);
            else if (column.Name == rows.FeatureColumnName)
                builder.AddColumn(column.Name, rows.FeatureColumnType, rows.FeatureAnnotations);
            else
            {
                builder.AddColumn(column.Name, column.Type, column.Annotations);
                stored[i] = stores[o++];
            }
        }
        return new ArrayDataView(rows, builder.ToSchema(), stored);
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded)
            active[c.Index] = true;
        int[]? order = null;
        if (rand is not null)
        {
            // A uniform permutation of the rows from the caller's random source (Fisher-Yates).
            order = new int[_rows.RowCount];
            for (int i = 0; i < order.Length; i++)
                order[i] = i;
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rand.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return new Cursor(this, active, order);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ArrayDataView _view;
        private readonly bool[] _active;
        private readonly Delegate?[] _getters;
        private readonly int[]? _order;
        private long _position = -1;

        public Cursor(ArrayDataView view, bool[] active, int[]? order)
        {
            _view = view;
            _active = active;
            _order = order;
            _getters = new Delegate?[view.Schema.Count];
            var rows = view._rows;
            for (int i = 0; i < _getters.Length; i++)
            {
                if (!active[i])
                    continue;
                var column = view.Schema[i];
                if (column.Name == rows.LabelColumnName)
                    _getters[i] = rows.Label.MakeGetter(CurrentClass);
                else if (column.Name == rows.FeatureColumnName)
                    _getters[i] = MakeFeatureGetter();
                else
                    _getters[i] = view._passThrough[i]!.MakeGetter(CurrentSourceRow);
            }
        }

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _view.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._rows.RowCount)
            {
                _position = _view._rows.RowCount;
                return false;
            }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            return _getters[column.Index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        /// <summary>The row's own index, whatever order the cursor visits the rows in.</summary>
        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)CurrentRow(), 0);

        private int CurrentRow()
        {
            if (_position < 0 || _position >= _view._rows.RowCount)
                throw new InvalidOperationException("The cursor is not on a row.");
            return _order is null ? (int)_position : _order[_position];
        }

        private int CurrentClass() => _view._rows.Labels[CurrentRow()];

        private int CurrentSourceRow()
        {
            int row = CurrentRow();
            return _view._rows.SourceRows is { } map ? map[row] : row;
        }

        private Delegate MakeFeatureGetter()
        {
            var rows = _view._rows;
            if (rows.FeatureColumnType is not VectorDataViewType)
                return (ValueGetter<float>)((ref float v) => v = rows.Features[CurrentRow()]);
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var editor = VBufferEditor.Create(ref v, rows.FeatureCount);
                rows.GetRow(CurrentRow()).CopyTo(editor.Values);
                v = editor.Commit();
            });
        }
    }
}

/// <summary>One column of a data view copied into an array, readable by source row; row -1 reads the missing value.</summary>
internal abstract class ColumnStore
{
    /// <summary>Copies the given columns in one pass over <paramref name="source"/>.</summary>
    public static ColumnStore[] ReadAll(IDataView source, DataViewSchema.Column[] columns, int expectedRows)
    {
        var stores = columns.Select(Create).ToArray();
        if (stores.Length == 0)
            return stores;
        using var cursor = source.GetRowCursor(columns);
        foreach (var store in stores)
            store.Bind(cursor, expectedRows);
        int rows = 0;
        while (cursor.MoveNext())
        {
            if (rows == expectedRows)
                throw new InvalidOperationException($"The pass-through source has more than the {expectedRows} rows the labels and features were read from.");
            foreach (var store in stores)
                store.ReadCurrent(rows);
            rows++;
        }
        if (rows != expectedRows)
            throw new InvalidOperationException($"The pass-through source has {rows} rows, but the labels and features were read from {expectedRows}.");
        return stores;
    }

    public abstract Delegate MakeGetter(Func<int> sourceRow);

    protected abstract void Bind(DataViewRowCursor cursor, int rows);

    protected abstract void ReadCurrent(int row);

    private static ColumnStore Create(DataViewSchema.Column column)
    {
        var type = column.Type;
        var (generic, arg) = type is VectorDataViewType vector
            ? (typeof(VectorStore<>), vector.ItemType.RawType)
            : (typeof(ScalarStore<>), type.RawType);
        return (ColumnStore)Activator.CreateInstance(generic.MakeGenericType(arg),
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [column], null)!;
    }

    private sealed class ScalarStore<T> : ColumnStore
    {
        private readonly DataViewSchema.Column _column;
        private readonly T _missing;
        private ValueGetter<T>? _getter;
        private T[] _values = [];

        public ScalarStore(DataViewSchema.Column column)
        {
            _column = column;
            _missing = MissingValue(column.Type);
        }

        protected override void Bind(DataViewRowCursor cursor, int rows)
        {
            _getter = cursor.GetGetter<T>(_column);
            _values = new T[rows];
        }

        protected override void ReadCurrent(int row) => _getter!(ref _values[row]);

        public override Delegate MakeGetter(Func<int> sourceRow) =>
            (ValueGetter<T>)((ref T v) =>
            {
                int row = sourceRow();
                v = row < 0 ? _missing : _values[row];
            });

        private static T MissingValue(DataViewType type)
        {
            object? missing = type.RawType switch
            {
                Type t when t == typeof(float) => float.NaN,
                Type t when t == typeof(double) => double.NaN,
                Type t when t == typeof(ReadOnlyMemory<char>) => ReadOnlyMemory<char>.Empty,
                _ => default(T), // keys: 0 is the missing key; other types have no missing value
            };
            return (T)missing!;
        }
    }

    private sealed class VectorStore<T> : ColumnStore
    {
        private readonly DataViewSchema.Column _column;
        private readonly int _size;
        private ValueGetter<VBuffer<T>>? _getter;
        private VBuffer<T> _buffer;
        private VBuffer<T>[] _values = [];

        public VectorStore(DataViewSchema.Column column)
        {
            _column = column;
            _size = ((VectorDataViewType)column.Type).Size;
        }

        protected override void Bind(DataViewRowCursor cursor, int rows)
        {
            _getter = cursor.GetGetter<VBuffer<T>>(_column);
            _values = new VBuffer<T>[rows];
        }

        // The getter may reuse its buffer: keep a copy of each row.
        protected override void ReadCurrent(int row)
        {
            _getter!(ref _buffer);
            _buffer.CopyTo(ref _values[row]);
        }

        public override Delegate MakeGetter(Func<int> sourceRow) =>
            (ValueGetter<VBuffer<T>>)((ref VBuffer<T> v) =>
            {
                int row = sourceRow();
                if (row < 0)
                    v = VBufferEditor.Create(ref v, _size, 0).Commit(); // all-default: sparse, no stored values
                else
                    _values[row].CopyTo(ref v);
            });
    }
}
