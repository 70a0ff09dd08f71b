using System.Runtime.CompilerServices;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Turns ONNX Runtime's candidates into the engine's rankings. ONNX Runtime sums each dot product in another order than
/// the engine, so two items within float rounding of each other may come out in the other order, and the engine's
/// <see cref="TopKSelector"/> also treats scores within its tolerance as ties for the lower item row. So the candidates
/// (a few more than needed, best first by ONNX Runtime's scores) are re-scored with the engine's own arithmetic
/// (<see cref="VectorMath.Dot"/> inside a cluster, as <see cref="ClusterQuotaRetriever"/>; the search kernel's chain,
/// <see cref="TiledTopKSearch.Score(ReadOnlySpan{float}, ReadOnlySpan{float})"/>, over the catalogue, as
/// <see cref="UnimodalRetriever"/>), everything the candidates leave out is bounded by the last candidate's ONNX score plus
/// the rounding bound <see cref="ErrorBound"/>, and <see cref="CertifiedRanking"/> keeps the prefix that this proves. When
/// the prefix is shorter than what the list needs, the cluster or the catalogue is scanned with the engine itself. Either
/// way the result is the engine's ranking, bit for bit. One per call (scratch buffers); not thread-safe.
/// </summary>
internal sealed class OnnxRerank
{
    private readonly OnnxRerankTables _tables;
    private readonly int _listLength;
    private readonly OnnxCandidateProof _proof;
    private readonly TopKSelector _selector;
    private readonly ItemExclusion _exclusion;

    /// <summary>Creates the scratch for lists of length <paramref name="listLength"/> from up to <paramref name="maxCandidates"/> candidates per ranking.</summary>
    public OnnxRerank(OnnxRerankTables tables, int listLength, int maxCandidates)
    {
        _tables = tables;
        _listLength = listLength;
        _proof = new OnnxCandidateProof(maxCandidates);
        _selector = new TopKSelector(listLength);
        _exclusion = new ItemExclusion(tables.Items.Rows);
    }

    /// <summary>Rankings proved from the candidates.</summary>
    public long Proved { get; private set; }

    /// <summary>Rankings computed by an engine scan because the candidates did not prove enough of them.</summary>
    public long Scanned { get; private set; }

    /// <summary>Quota fills ranked from the catalogue by <see cref="FillFromCatalogue"/>.</summary>
    public long Filled { get; private set; }

    /// <summary>
    /// Writes the head of component ranking of <paramref name="query"/> in <paramref name="cluster"/>, as
    /// <see cref="ClusterQuotaRetriever"/> ranks it for <paramref name="user"/>: at least <paramref name="need"/> entries
    /// (the engine keeps at most M) into spans as long as the candidates or M, whichever is more.
    /// </summary>
    /// <param name="query">The component's query vector (the encoder's <c>mixture_embeddings</c> row).</param>
    /// <param name="cluster">The component's cluster.</param>
    /// <param name="rows">ONNX Runtime's candidates for the component, best first.</param>
    /// <param name="onnxScores">Their ONNX scores; negative infinity marks entries that are not candidates (excluded, padding).</param>
    /// <param name="finite">How many leading entries are candidates (<see cref="Finite"/> of <paramref name="onnxScores"/>).</param>
    /// <param name="need">How many entries the list takes from this component (at most M and at most its eligible members).</param>
    /// <param name="user">The user row, for its exclusions.</param>
    /// <param name="exclusions">The items excluded per user, as the mask that ONNX Runtime was given; null for none.</param>
    /// <param name="head">The list's unimodal head, which the graph masked out of the component too (empty for none).</param>
    /// <param name="outItems">Receives the ranking's items, best first.</param>
    /// <param name="outScores">Receives their engine scores.</param>
    /// <returns>How many entries were written, at least <paramref name="need"/>.</returns>
    // The re-ranking is optimised at once rather than tiered, as CertifiedRanking.Rank (why there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Component(ReadOnlySpan<float> query, int cluster, ReadOnlySpan<long> rows, ReadOnlySpan<float> onnxScores, int finite, int need, int user,
        BipartiteGraph? exclusions, ReadOnlySpan<int> head, Span<int> outItems, Span<float> outScores)
    {
        bool allListed = finite < rows.Length || rows.Length >= _tables.Clustering.MembersOf(cluster).Length;
        double error = ErrorBound(query, _tables.ClusterNormBound[cluster]);
        int proved = _proof.Prove(query, _tables.Items, kernel: false, rows, onnxScores, finite, allListed, error, need, outItems, outScores);
        if (proved >= 0 && !HeadNearTie(query, cluster, head, outScores[..Math.Min(proved, need)]))
        {
            Proved++;
            return proved;
        }
        return ScanComponent(query, cluster, user, exclusions, head, outItems, outScores);
    }

    /// <summary>
    /// Whether a head item of <paramref name="cluster"/> scores within twice the selector's tie tolerance of a proved entry.
    /// The engine ranks the cluster with the head's items in it and skips them when taking; the proof covers the cluster
    /// without them, which is the same order unless a head item is a near-tie of a proved entry (then the selector's order
    /// could depend on the order it was offered items in, and a scan reproduces it).
    /// </summary>
    private bool HeadNearTie(ReadOnlySpan<float> query, int cluster, ReadOnlySpan<int> head, ReadOnlySpan<float> proved)
    {
        foreach (int item in head)
        {
            if (_tables.Clustering.ClusterOf(item) != cluster) continue;
            float score = VectorMath.Dot(query, _tables.Items.ReadRow(item));
            foreach (float other in proved)
                if (Math.Abs(score - other) <= 2 * TopKSelector.RelativeTolerance * Math.Max(Math.Abs(score), Math.Abs(other))) return true;
        }
        return false;
    }

    /// <summary>
    /// The engine's ranking of <paramref name="query"/> in <paramref name="cluster"/> by a scan of the cluster, as
    /// <see cref="ClusterQuotaRetriever"/> computes it: its top M without the user's exclusions, then without the items of
    /// <paramref name="head"/>. Where the candidates prove too little, or were found around another head than the engine's
    /// (a near-tie at the head's end).
    /// </summary>
    /// <returns>How many entries were written (the component's available items).</returns>
    public int ScanComponent(ReadOnlySpan<float> query, int cluster, int user, BipartiteGraph? exclusions, ReadOnlySpan<int> head, Span<int> outItems, Span<float> outScores)
    {
        Scanned++;
        _selector.Reset(_listLength);
        _exclusion.Load(exclusions == null ? default : exclusions.ItemsOf(user));
        _tables.Clusters.RankCluster(query, cluster, _exclusion, _selector);
        int count = _selector.Drain(outItems, outScores), kept = 0;
        for (int r = 0; r < count; r++)
        {
            if (head.Contains(outItems[r])) continue;
            outItems[kept] = outItems[r];
            outScores[kept++] = outScores[r];
        }
        return kept;
    }

    /// <summary>
    /// Writes the unimodal list of <paramref name="user"/> (the top M of the catalogue by the user's vector), as
    /// <see cref="UnimodalRetriever"/> returns it, into spans as long as the candidates or M, whichever is more.
    /// </summary>
    /// <param name="query">The user's vector (its row of the user table, or a fresh history's vector).</param>
    /// <param name="user">The user's row of <paramref name="exclusions"/>.</param>
    /// <param name="rows">ONNX Runtime's candidates, best first.</param>
    /// <param name="onnxScores">Their ONNX scores; negative infinity marks excluded items.</param>
    /// <param name="exclusions">The items excluded per user, as the mask that ONNX Runtime was given; null for none.</param>
    /// <param name="outItems">Receives the list's items, best first.</param>
    /// <param name="outScores">Receives their engine scores.</param>
    /// <returns>The list's length: M, or the number of eligible items when fewer.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Catalogue(ReadOnlySpan<float> query, int user, ReadOnlySpan<long> rows, ReadOnlySpan<float> onnxScores, BipartiteGraph? exclusions, Span<int> outItems,
        Span<float> outScores)
    {
        int finite = Finite(onnxScores);
        bool allListed = finite < rows.Length || rows.Length >= _tables.Items.Rows;
        int need = Math.Min(_listLength, finite);
        double error = ErrorBound(query, _tables.ItemNormBound);
        int proved = _proof.Prove(query, _tables.Items, kernel: true, rows, onnxScores, finite, allListed, error, need, outItems, outScores);
        if (proved >= 0)
        {
            Proved++;
            return Math.Min(proved, _listLength);
        }
        Scanned++;
        return ScanCatalogue(query, user, exclusions, outItems, outScores);
    }

    /// <summary>
    /// The unimodal lists (top M, as <see cref="Catalogue"/> writes each) of the vectors <paramref name="queries"/> of
    /// <paramref name="users"/>, ranked by the engine from the catalogue in one search without ONNX Runtime's candidates:
    /// the fills of quota lists the components leave short, where the graph ran without its fallback ranking (counted in
    /// <see cref="Filled"/>).
    /// </summary>
    public RankedLists FillFromCatalogue(EmbeddingMatrix queries, IReadOnlyList<int> users, BipartiteGraph? exclusions)
    {
        Filled += users.Count;
        return _tables.Catalogue.RetrieveQueries(queries, Enumerable.Range(0, users.Count).ToArray(), _tables.ScanExclusions(exclusions, users), _listLength, threads: 1);
    }

    private int ScanCatalogue(ReadOnlySpan<float> query, int user, BipartiteGraph? exclusions, Span<int> outItems, Span<float> outScores)
    {
        var (scanExclusions, row) = _tables.ScanExclusions(exclusions, user);
        var list = _tables.Catalogue.RetrieveQueries(new EmbeddingMatrix(1, query.Length, query.ToArray()), [row], scanExclusions, _listLength, threads: 1);
        list.IndicesOf(0).CopyTo(outItems);
        list.ScoresOf(0).CopyTo(outScores);
        return list.Counts[0];
    }

    /// <summary>
    /// A bound on |ONNX score - engine score| for any item of norm at most <paramref name="itemNormBound"/>: each of the two
    /// float32 dot products of length d, summed in any order (fused or not), is within gamma_d = d u / (1 - d u) of
    /// sum |q_i v_i| &lt;= |q| |v| of the exact value (u = 2^-24; Higham, Accuracy and Stability of Numerical Algorithms,
    /// 2nd ed., section 3.1), plus an absolute term for underflow; the relative margin covers this estimate's own rounding.
    /// It assumes that ONNX Runtime computes in float32, as its CPU kernels do; a candidate off by more than the bound
    /// (TF32 or bfloat16 matrix products on some GPUs) makes the ranking a scan instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ErrorBound(ReadOnlySpan<float> query, double itemNormBound)
    {
        int d = query.Length;
        double du = d * Math.ScaleB(1.0, -24);
        if (du >= 0.5) return double.PositiveInfinity;
        double gamma = du / (1 - du);
        // |q|^2 in float32 is itself a sum of d non-negative products: at most gamma below the exact value, plus underflow.
        double squares = (VectorMath.Dot(query, query) + d * Math.ScaleB(1.0, -149)) / (1 - gamma);
        return (2 * gamma * Math.Sqrt(squares) * itemNormBound + 2 * d * Math.ScaleB(1.0, -149)) * (1 + 1e-9);
    }

    /// <summary>How many leading entries are candidates (ONNX TopK sorts, so excluded entries, at negative infinity, come last).</summary>
    public static int Finite(ReadOnlySpan<float> scores)
    {
        int n = 0;
        while (n < scores.Length && !float.IsNegativeInfinity(scores[n])) n++;
        return n;
    }
}
