using System.Numerics;
using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>Reads a label column, row by row, into class indices; one subclass per kind of label column.</summary>
internal abstract class LabelReader
{
    protected LabelReader(DataViewSchema.Column column) => Column = column;

    protected DataViewSchema.Column Column { get; }

    /// <summary>Picks the reader for the column's type, or throws naming the column and its type.</summary>
    public static LabelReader Create(DataViewSchema.Column column)
    {
        var type = column.Type;
        return type switch
        {
            KeyDataViewType key when key.RawType == typeof(uint) => new KeyReader<uint>(column, key),
            KeyDataViewType key when key.RawType == typeof(ushort) => new KeyReader<ushort>(column, key),
            KeyDataViewType key when key.RawType == typeof(byte) => new KeyReader<byte>(column, key),
            KeyDataViewType key when key.RawType == typeof(ulong) => new KeyReader<ulong>(column, key),
            BooleanDataViewType => new BooleanReader(column),
            TextDataViewType => new TextReader(column),
            NumberDataViewType when type.RawType == typeof(float) => new NumberReader<float>(column),
            NumberDataViewType when type.RawType == typeof(double) => new NumberReader<double>(column),
            NumberDataViewType when type.RawType == typeof(int) => new NumberReader<int>(column),
            NumberDataViewType when type.RawType == typeof(long) => new NumberReader<long>(column),
            NumberDataViewType when type.RawType == typeof(uint) => new NumberReader<uint>(column),
            NumberDataViewType when type.RawType == typeof(ulong) => new NumberReader<ulong>(column),
            NumberDataViewType when type.RawType == typeof(short) => new NumberReader<short>(column),
            NumberDataViewType when type.RawType == typeof(ushort) => new NumberReader<ushort>(column),
            NumberDataViewType when type.RawType == typeof(sbyte) => new NumberReader<sbyte>(column),
            NumberDataViewType when type.RawType == typeof(byte) => new NumberReader<byte>(column),
            _ => throw new ArgumentOutOfRangeException(nameof(column),
                $"The label column '{column.Name}' has type {type}, which cannot be a class label; " +
                "use a key (mlContext.Transforms.Conversion.MapValueToKey), Boolean, numeric or text column."),
        };
    }

    /// <summary>Creates the getters on the cursor.</summary>
    public abstract void Bind(DataViewRow cursor);

    /// <summary>The class index of the cursor's current row (provisional for numbers and text until <see cref="Finish"/>).</summary>
    public abstract int ReadCurrent(int row);

    /// <summary>Remaps provisional class indices in place to their final order and returns the encoding.</summary>
    public abstract LabelEncoding Finish(int[] labels);

    protected InvalidOperationException Missing(int row) =>
        new($"The label column '{Column.Name}' has a missing value at row {row}. Remove or impute unlabelled rows first.");

    private sealed class KeyReader<T>(DataViewSchema.Column column, KeyDataViewType key) : LabelReader(column)
        where T : IUnsignedNumber<T>, IBinaryInteger<T>
    {
        private ValueGetter<T>? _getter;
        private T _value = T.Zero;

        public override void Bind(DataViewRow cursor) => _getter = cursor.GetGetter<T>(Column);

        public override int ReadCurrent(int row)
        {
            _getter!(ref _value);
            ulong raw = ulong.CreateTruncating(_value);
            if (raw == 0)
                throw Missing(row);
            if (raw > key.Count)
                throw new InvalidOperationException($"The label column '{Column.Name}' has key value {raw} at row {row}, beyond its cardinality {key.Count}.");
            return (int)(raw - 1);
        }

        public override LabelEncoding Finish(int[] labels) => LabelEncoding.ForKey(key, Column);
    }

    private sealed class BooleanReader(DataViewSchema.Column column) : LabelReader(column)
    {
        private ValueGetter<bool>? _getter;
        private bool _value;

        public override void Bind(DataViewRow cursor) => _getter = cursor.GetGetter<bool>(Column);

        public override int ReadCurrent(int row)
        {
            _getter!(ref _value);
            return _value ? 1 : 0;
        }

        public override LabelEncoding Finish(int[] labels) => LabelEncoding.ForBoolean(Column);
    }

    /// <summary>Classes are numbered in order of first appearance while reading, then renumbered in sorted value order.</summary>
    private sealed class NumberReader<T>(DataViewSchema.Column column) : LabelReader(column) where T : INumber<T>
    {
        private readonly Dictionary<double, int> _seen = [];
        private readonly List<double> _values = [];
        private ValueGetter<T>? _getter;
        private T _value = T.Zero;

        public override void Bind(DataViewRow cursor) => _getter = cursor.GetGetter<T>(Column);

        public override int ReadCurrent(int row)
        {
            _getter!(ref _value);
            double v = double.CreateChecked(_value);
            if (double.IsNaN(v))
                throw Missing(row);
            if (!_seen.TryGetValue(v, out int index))
            {
                index = _values.Count;
                _seen.Add(v, index);
                _values.Add(v);
            }
            return index;
        }

        public override LabelEncoding Finish(int[] labels)
        {
            var sorted = _values.ToArray();
            Array.Sort(sorted);
            Renumber(labels, _values, sorted, Comparer<double>.Default);
            return LabelEncoding.ForNumbers(Column, sorted);
        }
    }

    private sealed class TextReader(DataViewSchema.Column column) : LabelReader(column)
    {
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
        private readonly List<string> _values = [];
        private Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private ValueGetter<ReadOnlyMemory<char>>? _getter;
        private ReadOnlyMemory<char> _value;

        public override void Bind(DataViewRow cursor)
        {
            _getter = cursor.GetGetter<ReadOnlyMemory<char>>(Column);
            _lookup = _seen.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override int ReadCurrent(int row)
        {
            _getter!(ref _value);
            var span = _value.Span;
            if (span.IsWhiteSpace())
                throw Missing(row);
            if (!_lookup.TryGetValue(span, out int index))
            {
                index = _values.Count;
                var text = span.ToString();
                _seen.Add(text, index);
                _values.Add(text);
            }
            return index;
        }

        public override LabelEncoding Finish(int[] labels)
        {
            var sorted = _values.ToArray();
            Array.Sort(sorted, StringComparer.Ordinal);
            Renumber(labels, _values, sorted, StringComparer.Ordinal);
            return LabelEncoding.ForText(Column, sorted);
        }
    }

    private static void Renumber<TValue>(int[] labels, List<TValue> firstSeenOrder, TValue[] sorted, IComparer<TValue> comparer)
    {
        var map = new int[firstSeenOrder.Count];
        for (int i = 0; i < map.Length; i++)
            map[i] = Array.BinarySearch(sorted, firstSeenOrder[i], comparer);
        for (int i = 0; i < labels.Length; i++)
            labels[i] = map[labels[i]];
    }
}
