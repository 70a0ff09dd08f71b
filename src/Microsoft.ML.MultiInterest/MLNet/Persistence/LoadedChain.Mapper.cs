using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

internal sealed partial class LoadedChain
{
    /// <summary>The chain's row-to-row mapper (what a prediction engine runs): its rows read the chain only inside their getters.</summary>
    private sealed class Mapper(LoadedChain owner, IRowToRowMapper mapper) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => mapper.InputSchema;

        public DataViewSchema OutputSchema => mapper.OutputSchema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) => mapper.GetDependencies(dependingColumns);

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            owner.Enter();
            try
            {
                return new Row(owner, mapper.GetRow(input, activeColumns));
            }
            finally
            {
                owner._readers.Leave();
            }
        }
    }

    /// <summary>
    /// A mapped row, a reader of the chain during each getter call only: a prediction engine keeps its row for its lifetime
    /// and never disposes it, so a longer count would hold the chain forever, and its sessions run nowhere but in these calls.
    /// </summary>
    private sealed class Row(LoadedChain owner, DataViewRow row) : DataViewRow
    {
        public override DataViewSchema Schema => row.Schema;

        public override long Position => row.Position;

        public override long Batch => row.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var getter = row.GetGetter<TValue>(column);
            return (ref TValue value) =>
            {
                owner.Enter();
                try
                {
                    getter(ref value);
                }
                finally
                {
                    owner._readers.Leave();
                }
            };
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => row.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            // Frees the row's last outputs: ONNX Runtime tensors hold their own reference to their allocator, so this may follow the sessions' release.
            if (disposing) row.Dispose();
            base.Dispose(disposing);
        }
    }
}
