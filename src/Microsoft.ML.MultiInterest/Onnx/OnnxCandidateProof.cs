using System.Runtime.CompilerServices;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The step both exact ONNX serving paths share (<see cref="OnnxRerank"/>, <see cref="OnnxRoundRobinRerank"/>): re-scores
/// ONNX Runtime's first candidates with the engine's arithmetic, bounds everything they leave out by the next ONNX score plus
/// the rounding bound, and asks <see cref="CertifiedRanking"/> for the prefix this proves, re-scoring all the candidates when
/// the first few do not prove enough. Scratch for one thread; nothing is allocated per call.
/// </summary>
internal sealed class OnnxCandidateProof
{
    /// <summary>
    /// Candidates re-scored beyond those needed on the first try: the rest are bounded by the ONNX score of the next one.
    /// Most lists are proved from these; otherwise every candidate is re-scored and bounded by the last one.
    /// </summary>
    private const int FirstExtra = 4;

    private readonly CertifiedRanking _certifier = new();
    private readonly int[] _items;
    private readonly float[] _exact;

    /// <summary>Creates the scratch for up to <paramref name="maxCandidates"/> candidates per ranking.</summary>
    public OnnxCandidateProof(int maxCandidates)
    {
        _items = new int[maxCandidates];
        _exact = new float[maxCandidates];
    }

    /// <summary>
    /// Re-scores the first candidates (more if needed) and returns the length of the proved prefix written to the outputs,
    /// or -1 when the candidates cannot prove <paramref name="need"/> entries (at most the number of candidates).
    /// </summary>
    /// <param name="query">The query vector, as the engine reads it.</param>
    /// <param name="table">The rows the candidates index.</param>
    /// <param name="kernel">True to score as the search kernel does (<see cref="TiledTopKSearch.Score(ReadOnlySpan{float}, EmbeddingMatrix, ReadOnlySpan{int}, Span{float})"/>), false as <see cref="VectorMath.Dot"/>.</param>
    /// <param name="rows">ONNX Runtime's candidates, best first.</param>
    /// <param name="onnxScores">Their ONNX scores.</param>
    /// <param name="finite">How many leading entries are candidates (<see cref="OnnxRerank.Finite"/>).</param>
    /// <param name="allListed">True when the candidates are every eligible row (nothing left out to bound).</param>
    /// <param name="error">The rounding bound (<see cref="OnnxRerank.ErrorBound"/>) for this query and table.</param>
    /// <param name="need">How many entries must be proved.</param>
    /// <param name="outItems">Receives the proved rows, at least as long as the candidates.</param>
    /// <param name="outScores">Receives their engine scores.</param>
    // Optimised at once rather than tiered, as CertifiedRanking.Rank (why there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Prove(ReadOnlySpan<float> query, EmbeddingMatrix table, bool kernel, ReadOnlySpan<long> rows, ReadOnlySpan<float> onnxScores, int finite,
        bool allListed, double error, int need, Span<int> outItems, Span<float> outScores)
    {
        int scored = 0;
        int n = Math.Min(finite, need + FirstExtra);
        while (true)
        {
            for (int i = scored; i < n; i++) _items[i] = checked((int)rows[i]);
            var items = _items.AsSpan(scored, n - scored);
            var exact = _exact.AsSpan(scored, n - scored);
            if (kernel)
            {
                TiledTopKSearch.Score(query, table, items, exact);
            }
            else
            {
                for (int i = 0; i < items.Length; i++) exact[i] = VectorMath.Dot(query, table.ReadRow(items[i]));
            }
            for (int i = scored; i < n; i++)
            {
                // Beyond the bound: ONNX Runtime did not compute in float32 as assumed, so nothing it left out is bounded.
                if (!(Math.Abs((double)_exact[i] - onnxScores[i]) <= error)) return -1;
            }
            scored = n;
            // Candidates past n and items past the last candidate score at most the next ONNX score (TopK sorts), plus the error.
            double othersAtMost = n < finite ? onnxScores[n] + error : allListed ? double.NegativeInfinity : onnxScores[finite - 1] + error;
            int proved = _certifier.Rank(_items.AsSpan(0, n), _exact.AsSpan(0, n), othersAtMost, outItems, outScores);
            // With nothing left out (othersAtMost = -inf), need <= finite = n: a full proof meets it.
            if (proved >= need) return proved;
            if (n == finite) return -1;
            n = finite;
        }
    }
}
