using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The row-to-row form of an appending transform, so that prediction engines and transformer chains can
/// map single rows.
/// </summary>
internal sealed class AppendColumnsRowMapper : IRowToRowMapper
{
    private readonly IReadOnlyList<AppendedColumn> _columns;

    public AppendColumnsRowMapper(DataViewSchema inputSchema, IReadOnlyList<AppendedColumn> columns)
    {
        InputSchema = inputSchema;
        _columns = columns;
        OutputSchema = AppendedSchema.Build(inputSchema, columns);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        AppendedSchema.Dependencies(InputSchema, _columns, dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => new Row(this, input, activeColumns);

    private sealed class Row : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly AppendedGetters _getters;

        public Row(AppendColumnsRowMapper parent, DataViewRow input, IEnumerable<DataViewSchema.Column> active)
        {
            _input = input;
            Schema = parent.OutputSchema;
            _getters = new AppendedGetters(input, parent.InputSchema, parent._columns, active);
        }

        public override DataViewSchema Schema { get; }

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _getters.IsActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _getters.Get<TValue>(column);
    }
}
