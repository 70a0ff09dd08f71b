using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A data view with a given schema and no rows: what ML.NET estimators are fitted on when a saved model is
/// assembled, since a transformer's Save is not told the schema it will later see.
/// </summary>
internal sealed class EmptyDataView : IDataView
{
    public EmptyDataView(DataViewSchema schema) => Schema = schema;

    public bool CanShuffle => true;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(Schema)];

    private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override bool MoveNext() => false;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            throw new InvalidOperationException("An empty data view has no rows to read.");

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            throw new InvalidOperationException("An empty data view has no rows to read.");
    }
}
