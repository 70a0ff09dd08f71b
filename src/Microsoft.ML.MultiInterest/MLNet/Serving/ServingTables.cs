using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Everything live retrieval reads, in one immutable bundle built at Fit (from the fit data) or from a loaded model
/// (from the saved stages): the items that can be recommended (compact index = rank of the item key among them, so
/// "lower index wins" ties stay "lower key wins"), the per-user vectors and mixtures by user row (key - 1), the
/// training history (the seen items excluded by default) and the retrieval settings.
/// </summary>
internal sealed class ServingTables
{
    public required CandidateMethod Method { get; init; }

    /// <summary>M, the default list length.</summary>
    public required int Candidates { get; init; }

    public required double Alpha { get; init; }

    public required RetrievalSettings Settings { get; init; }

    /// <summary>Whether the training history is excluded from every list.</summary>
    public required bool ExcludeSeen { get; init; }

    /// <summary>The raw id of every item key (key - 1).</summary>
    public required string[] ItemNames { get; init; }

    /// <summary>The raw id of every user key (key - 1).</summary>
    public required string[] UserNames { get; init; }

    /// <summary>Item key - 1 of each compact item.</summary>
    public required int[] ItemRowOf { get; init; }

    /// <summary>Item embeddings by compact index.</summary>
    public required EmbeddingMatrix Items { get; init; }

    /// <summary>User vectors by user row; null when the stage has none (cluster-quota without fill).</summary>
    public EmbeddingMatrix? UserVectors { get; init; }

    /// <summary>Mixtures by user row; null for unimodal and plain MMR.</summary>
    public MixtureTable? Mixtures { get; init; }

    /// <summary>The clusters of the compact items; null when the method reads none.</summary>
    public ItemClustering? Clustering { get; init; }

    /// <summary>The training edges: user rows x compact items.</summary>
    public required BipartiteGraph History { get; init; }

    public int UserCount => UserNames.Length;

    /// <summary>Whether user row <paramref name="user"/> has a trained representation (a training edge).</summary>
    public bool IsTrained(int user) => (uint)user < (uint)History.UserCount && History.DegreeOf(user) > 0;

    /// <summary>Compact index of each item row (key - 1), or -1 for an item that cannot be recommended.</summary>
    public int[] CompactOfRow()
    {
        var compact = Enumerable.Repeat(-1, ItemNames.Length).ToArray();
        for (int j = 0; j < ItemRowOf.Length; j++) compact[ItemRowOf[j]] = j;
        return compact;
    }
}
