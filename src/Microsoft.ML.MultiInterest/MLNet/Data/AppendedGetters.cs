namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The getters of one row or cursor over an appending transform: input columns pass through to the input
/// row; appended columns get their getters made lazily, once, on first request.
/// </summary>
internal sealed class AppendedGetters
{
    private readonly DataViewRow _input;
    private readonly IReadOnlyList<AppendedColumn> _columns;
    private readonly bool[] _active;
    private readonly Delegate?[] _getters;
    private readonly int _inputCount;

    public AppendedGetters(DataViewRow input, DataViewSchema inputSchema, IReadOnlyList<AppendedColumn> columns, IEnumerable<DataViewSchema.Column> active)
    {
        _input = input;
        _columns = columns;
        _inputCount = inputSchema.Count;
        _active = new bool[columns.Count];
        _getters = new Delegate?[columns.Count];
        foreach (var column in active)
            if (column.Index >= _inputCount) _active[column.Index - _inputCount] = true;
    }

    public bool IsActive(DataViewSchema.Column column) =>
        column.Index < _inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index - _inputCount];

    public ValueGetter<TValue> Get<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        int j = column.Index - _inputCount;
        if ((uint)j >= (uint)_columns.Count) throw new ArgumentOutOfRangeException(nameof(column), $"Column '{column.Name}' is not in this row's schema.");
        if (!_active[j]) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        var getter = _getters[j] ??= _columns[j].MakeGetter(_input);
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' holds {_columns[j].ValueType.Name} values, not {typeof(TValue).Name}.");
    }
}
