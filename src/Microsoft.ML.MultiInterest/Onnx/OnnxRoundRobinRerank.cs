using System.Runtime.CompilerServices;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Turns the round-robin scorer's candidates for one user component into the list <see cref="RoundRobinRetriever"/>
/// fetches for it: its nearest K × C_d eligible item components, in the engine's order (ties within
/// <see cref="TopKSelector.RelativeTolerance"/> to the lower row) with the engine's scores, bit for bit, so that the merge,
/// which sums those scores per item and ranks the sums, gives the engine's list. The candidates (K × C_d plus
/// <see cref="OnnxServingManifest.CandidateSlack"/>, best first by ONNX Runtime's scores) are re-scored with the search
/// kernel's chain (<see cref="TiledTopKSearch.Score(ReadOnlySpan{float}, EmbeddingMatrix, ReadOnlySpan{int}, Span{float})"/>)
/// and <see cref="OnnxCandidateProof"/> keeps the prefix the rounding bound <see cref="OnnxRerank.ErrorBound"/> proves;
/// when it is shorter than K × C_d the engine's own search fetches the list, the items the scorer never fetches
/// (<see cref="OnnxRoundRobinTables.AbsentItems"/>) excluded with the user's. One per call (scratch); not thread-safe.
/// </summary>
internal sealed class OnnxRoundRobinRerank
{
    private readonly OnnxRoundRobinTables _tables;
    private readonly int _fetch;
    private readonly OnnxCandidateProof _proof;
    private readonly int[] _rows;
    private readonly float[] _scores;
    private readonly ItemExclusion _exclusion;
    private RoundRobinRetriever.NearestScratch? _scan;

    /// <summary>Creates the scratch for lists of <paramref name="fetch"/> (K × C_d) item components from up to <paramref name="maxCandidates"/> candidates each.</summary>
    public OnnxRoundRobinRerank(OnnxRoundRobinTables tables, int fetch, int maxCandidates)
    {
        _tables = tables;
        _fetch = fetch;
        _proof = new OnnxCandidateProof(maxCandidates);
        _rows = new int[maxCandidates];
        _scores = new float[maxCandidates];
        // The scorer masks the keys without an item (zero rows, dot 0): the engine's search over the same table skips them too.
        _exclusion = new ItemExclusion(tables.ItemComponents.Rows / tables.DestinationComponents, tables.AbsentItems);
    }

    /// <summary>Lists proved from the candidates.</summary>
    public long Proved { get; private set; }

    /// <summary>Lists fetched by the engine's search because the candidates did not prove them.</summary>
    public long Scanned { get; private set; }

    /// <summary>
    /// Writes the engine's nearest-component list of <paramref name="query"/> into <paramref name="outRows"/> and
    /// <paramref name="outScores"/> (at least K × C_d long) and returns its length.
    /// </summary>
    /// <param name="query">The user component, the very floats the scorer was given.</param>
    /// <param name="rows">ONNX Runtime's candidate item component rows, best first.</param>
    /// <param name="onnxScores">Their ONNX scores; negative infinity marks excluded rows (they come last).</param>
    /// <param name="excluded">The items excluded for this user, as the mask ONNX Runtime was given (sorted or not).</param>
    /// <param name="outRows">Receives the list's item component rows.</param>
    /// <param name="outScores">Receives their engine scores.</param>
    /// <returns>K × C_d, or the number of eligible item components when fewer.</returns>
    // Optimised at once rather than tiered, as CertifiedRanking.Rank (why there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Nearest(ReadOnlySpan<float> query, ReadOnlySpan<long> rows, ReadOnlySpan<float> onnxScores, ReadOnlySpan<int> excluded,
        Span<int> outRows, Span<float> outScores)
    {
        var table = _tables.ItemComponents;
        int finite = OnnxRerank.Finite(onnxScores);
        bool allListed = finite < rows.Length || rows.Length >= table.Rows;
        int need = Math.Min(_fetch, finite);
        double error = OnnxRerank.ErrorBound(query, _tables.NormBound);
        int proved = _proof.Prove(query, table, kernel: true, rows, onnxScores, finite, allListed, error, need, _rows, _scores);
        if (proved >= 0)
        {
            // The engine's selector of capacity K x C_d keeps the proved prefix's first K x C_d (CertifiedRanking).
            Proved++;
            int count = Math.Min(proved, _fetch);
            _rows.AsSpan(0, count).CopyTo(outRows);
            _scores.AsSpan(0, count).CopyTo(outScores);
            return count;
        }
        Scanned++;
        _exclusion.Load(excluded);
        _scan ??= _tables.Retriever.CreateNearestScratch(_fetch);
        return _tables.Retriever.Nearest(query, _exclusion, _fetch, _scan, outRows, outScores);
    }
}
