using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

internal sealed partial class LoadedChain
{
    /// <summary>The chain's output view: every cursor of it is a reader of the chain until it is disposed.</summary>
    private sealed class View(LoadedChain owner, IDataView view) : IDataView
    {
        public bool CanShuffle => view.CanShuffle;

        public DataViewSchema Schema => view.Schema;

        public long? GetRowCount() => view.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            owner.Enter();
            try
            {
                return new Cursor(owner, view.GetRowCursor(columnsNeeded, rand));
            }
            catch
            {
                owner._readers.Leave();
                throw;
            }
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            owner.Enter();
            try
            {
                var cursors = view.GetRowCursorSet(columnsNeeded, n, rand);
                var readers = new DataViewRowCursor[cursors.Length];
                for (int i = 0; i < cursors.Length; i++)
                {
                    owner._readers.EnterAgain();
                    readers[i] = new Cursor(owner, cursors[i]);
                }
                return readers;
            }
            finally
            {
                owner._readers.Leave(); // each cursor of the set holds its own count
            }
        }
    }

    /// <summary>A cursor of the chain, counted as its reader until disposed: ML.NET's parallel cursors run the sessions on workers between its calls.</summary>
    private sealed class Cursor(LoadedChain owner, DataViewRowCursor cursor) : DataViewRowCursor
    {
        private int _disposed;

        public override DataViewSchema Schema => cursor.Schema;

        public override long Position => cursor.Position;

        public override long Batch => cursor.Batch;

        public override bool MoveNext() => cursor.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) => cursor.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => cursor.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => cursor.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                try
                {
                    cursor.Dispose(); // joins ML.NET's workers, so no session runs for it past here
                }
                finally
                {
                    owner._readers.Leave();
                }
            }
            base.Dispose(disposing);
        }
    }
}
