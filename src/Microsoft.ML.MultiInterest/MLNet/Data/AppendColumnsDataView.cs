using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A lazy view that appends computed columns to an input view without materialising anything: each
/// cursor wraps an input cursor and computes the appended values of the current row on demand.
/// </summary>
internal sealed class AppendColumnsDataView : IDataView
{
    private readonly IDataView _input;
    private readonly IReadOnlyList<AppendedColumn> _columns;

    public AppendColumnsDataView(IDataView input, IReadOnlyList<AppendedColumn> columns)
    {
        _input = input;
        _columns = columns;
        Schema = AppendedSchema.Build(input.Schema, columns);
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = columnsNeeded.ToList();
        var inputCursor = _input.GetRowCursor(AppendedSchema.Dependencies(_input.Schema, _columns, active), rand);
        return new Cursor(this, inputCursor, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var active = columnsNeeded.ToList();
        var inputCursors = _input.GetRowCursorSet(AppendedSchema.Dependencies(_input.Schema, _columns, active), n, rand);
        return inputCursors.Select(c => (DataViewRowCursor)new Cursor(this, c, active)).ToArray();
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly AppendedGetters _getters;

        public Cursor(AppendColumnsDataView parent, DataViewRowCursor input, IEnumerable<DataViewSchema.Column> active)
        {
            _input = input;
            Schema = parent.Schema;
            _getters = new AppendedGetters(input, parent._input.Schema, parent._columns, active);
        }

        public override DataViewSchema Schema { get; }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool MoveNext() => _input.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _getters.IsActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _getters.Get<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _input.Dispose();
            base.Dispose(disposing);
        }
    }
}
