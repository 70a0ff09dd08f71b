namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>The fixed settings of the exported serving graphs, in one place.</summary>
internal static class OnnxServingDefaults
{
    /// <summary>
    /// How many candidates beyond M the scorers' candidate outputs hold: 16. <see cref="OnnxCandidateScorer"/> re-scores
    /// candidates with the engine's arithmetic and keeps the list only where they prove the engine's order (the exact
    /// score of the M-th item clearly above the bound on every item they leave out); elsewhere it scans the cluster or the
    /// catalogue with the engine. The slack only sets how often that scan is needed, never the lists (docs/onnx.md).
    /// </summary>
    public const int CandidateSlack = 16;

    /// <summary>
    /// The most bytes the per-user tensors of one <see cref="OnnxCandidateScorer"/> ONNX Runtime call may take: 64 MiB. A call
    /// serves fewer users than the batch size where they would pass it: the quota scorer's gathered member vectors (batch x m x
    /// largest cluster x d floats), the unimodal and vector scorers' item scores (batch x I floats, and the exclusion mask's
    /// batch x I again). On cit-HepPh with K = 20 clusters (largest 2,387 items, d = 64) quota batches of 8-32 took 0.6-0.8x
    /// the seconds of 64; a unimodal batchSize of 100,000 took 1.77 GB of RSS against 0.43 GB at 64, and was no faster
    /// (docs/performance.md, docs/onnx.md). Directories of small clusters, and catalogues of up to 131,072 items (262,144 without the mask), keep 64.
    /// </summary>
    public const long BatchBudgetBytes = 64L << 20;

    /// <summary>
    /// The largest model file written whole (<see cref="OnnxExternalData.Automatic"/>): a protobuf message cannot pass 2 GB
    /// (2^31 - 1 bytes), and 16 MiB are kept for the graph around the tables. Also the largest table built as one byte array:
    /// a table over it is streamed into the side file from its values.
    /// </summary>
    public const long MaxInlineModelBytes = int.MaxValue - (16L << 20);

    /// <summary>
    /// The smallest table moved into a model's side file when it has one: 1 KiB, the ONNX tools' own default. The scalars and
    /// short lists that steer the graph (axes, shapes, TopK's k, a few bytes each) must stay in the model: ONNX Runtime's shape
    /// inference cannot read them from external data ("Cannot parse data from external tensors"), and refuses the model.
    /// </summary>
    public const int ExternalDataMinTableBytes = 1024;

    /// <summary>
    /// Where each table of a side file starts: a multiple of 64 KiB, the allocation granularity of memory mapping on Windows
    /// (4 KiB pages elsewhere divide it), so ONNX Runtime (and any client) can map a table without copying it. The gap
    /// before a table is zeros, which no table's offset and length cover.
    /// </summary>
    public const int ExternalDataAlignment = 64 << 10;

    /// <summary>What a model's side file adds to the model's file name: <c>unimodal_scorer.onnx</c> keeps its tables in <c>unimodal_scorer.onnx.data</c>.</summary>
    public const string ExternalDataSuffix = ".data";
}
