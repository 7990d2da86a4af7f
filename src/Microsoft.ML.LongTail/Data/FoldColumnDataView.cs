using Microsoft.ML.Data;

namespace Microsoft.ML.LongTail.Data;

/// <summary>
/// A lazy view that appends a precomputed per-row <c>Key&lt;UInt32&gt;</c> column to a source view, matched by row position.
/// Used for fold assignments: ML.NET has no stock transform that joins a column by row index.
/// </summary>
/// <remarks>Cursors are not shuffled (<see cref="CanShuffle"/> is false), so <c>Position</c> is the row index.</remarks>
internal sealed class FoldColumnDataView : IDataView
{
    private readonly IDataView _source;
    private readonly uint[] _rawKeys;
    private readonly int _column;

    public FoldColumnDataView(IDataView source, string columnName, uint[] rawKeys, int keyCount)
    {
        _source = source;
        _rawKeys = rawKeys;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema);
        builder.AddColumn(columnName, new KeyDataViewType(typeof(uint), keyCount));
        Schema = builder.ToSchema();
        _column = Schema.Count - 1;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rawKeys.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        bool wantsFold = needed.Any(c => c.Index == _column);
        var sourceColumns = needed.Where(c => c.Index != _column).Select(c => _source.Schema[c.Index]);
        return new Cursor(this, _source.GetRowCursor(sourceColumns), wantsFold);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(FoldColumnDataView parent, DataViewRowCursor source, bool wantsFold) : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;

        public override long Position => source.Position;

        public override long Batch => source.Batch;

        public override bool MoveNext()
        {
            if (!source.MoveNext())
                return false;
            if (source.Position >= parent._rawKeys.Length)
                throw new InvalidOperationException("The source view returned more rows than when the fold column was computed.");
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index == parent._column ? wantsFold : source.IsColumnActive(parent._source.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != parent._column)
                return source.GetGetter<TValue>(parent._source.Schema[column.Index]);
            if (!wantsFold)
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            if (typeof(TValue) != typeof(uint))
                throw new InvalidOperationException($"Column '{column.Name}' is Key<UInt32>; requested {typeof(TValue).Name}.");
            ValueGetter<uint> getter = (ref uint value) => value = parent._rawKeys[source.Position];
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                source.Dispose();
            base.Dispose(disposing);
        }
    }
}
