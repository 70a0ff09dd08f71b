using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Everything live retrieval reads, in one immutable bundle built at Fit (from the fit data) or from a loaded model
/// (from the saved stages): the items that can be recommended (compact index = rank of the item key among them, so
/// "lower index wins" ties stay "lower key wins"), the per-user vectors and mixtures by user row (key - 1), the
/// training history of the trained users (the seen items excluded by default) and the retrieval settings. Nothing here has a
/// row per user key: a wide user key range of few users in use costs what the users cost.
/// </summary>
internal sealed class ServingTables
{
    public required CandidateMethod Method { get; init; }

    /// <summary>M, the default list length.</summary>
    public required int Candidates { get; init; }

    /// <summary>
    /// The length the stage's lists are retrieved at: M, capped at the recommendable items (no list holds more, and an M far beyond
    /// them must not make Fit or a request allocate for it); the candidates column keeps M slots, padded.
    /// </summary>
    public int ListLength => Math.Min(Candidates, Items.Rows);

    public required double Alpha { get; init; }

    public required RetrievalSettings Settings { get; init; }

    /// <summary>Whether the training history is excluded from every list.</summary>
    public required bool ExcludeSeen { get; init; }

    /// <summary>The raw id of every item key (key - 1).</summary>
    public required KeyNameList ItemNames { get; init; }

    /// <summary>The raw id of every user key (key - 1).</summary>
    public required KeyNameList UserNames { get; init; }

    /// <summary>The user key column the stage read, for messages about ids (<see cref="UserNames"/>).</summary>
    public string UserColumnName { get; init; } = MultiInterestColumnNames.User;

    /// <summary>The item key column the stage read, for messages about ids (<see cref="ItemNames"/>).</summary>
    public string ItemColumnName { get; init; } = MultiInterestColumnNames.Item;

    /// <summary>Item key - 1 of each compact item, ascending.</summary>
    public required int[] ItemRowOf { get; init; }

    /// <summary>Item embeddings by compact index.</summary>
    public required EmbeddingMatrix Items { get; init; }

    /// <summary>
    /// How many of the last compact items were folded in between two fits (<see cref="NewItemTables"/>) rather than trained:
    /// 0 for a fitted or loaded stage. A later fold-in solves such an item again when new users engage it.
    /// </summary>
    public int FoldedItems { get; init; }

    /// <summary>The compact items trained at the fit: all but the <see cref="FoldedItems"/> after them.</summary>
    public int TrainedItems => Items.Rows - FoldedItems;

    /// <summary>User vectors by user row (the trained users'); null when the stage has none (cluster-quota without fill).</summary>
    public KeyedEmbeddings? UserVectors { get; init; }

    /// <summary>Mixtures by user row (round robin: the learned components, component indices as clusters); null for unimodal and plain MMR.</summary>
    public MixtureTable? Mixtures { get; init; }

    /// <summary>The item components (and a DCM model's clustering) of round-robin retrieval; null for the other methods.</summary>
    public LearnedComponents? Learned { get; init; }

    /// <summary>The trained conditional model over the compact items (conditional retrieval); null for the other methods.</summary>
    public ConditionalModel? Conditional { get; init; }

    /// <summary>The conditions each trained user follows (conditional retrieval), by user row; null when none were given.</summary>
    public IReadOnlyDictionary<int, int[]>? Followed { get; init; }

    /// <summary>The followed conditions of user rows <paramref name="users"/> (null entries: from the history), or null when there are none.</summary>
    public int[]?[]? FollowedOf(IReadOnlyList<int> users) => Followed == null ? null : users.Select(u => Followed.GetValueOrDefault(u)).ToArray();

    /// <summary>
    /// The divide-and-conquer encoder's tables over the compact items, with which a stage of <see cref="HistoryVector.Encoder"/>
    /// reads a new user's history; null for the other stages.
    /// </summary>
    public HistoryEncoderTables? Encoder { get; init; }

    /// <summary>The clusters of the compact items; null when the method reads none.</summary>
    public ItemClustering? Clustering { get; init; }

    /// <summary>The user rows with a training history, ascending; row j of <see cref="History"/> is user HistoryUsers[j].</summary>
    public required int[] HistoryUsers { get; init; }

    /// <summary>The training edges: entries of <see cref="HistoryUsers"/> x compact items.</summary>
    public required BipartiteGraph History { get; init; }

    /// <summary>The training items (compact) of user row <paramref name="user"/>; empty for a user without history.</summary>
    public ReadOnlySpan<int> HistoryOf(int user)
    {
        int slot = Array.BinarySearch(HistoryUsers, user);
        return slot < 0 ? default : History.ItemsOf(slot);
    }

    public int UserCount => UserNames.Count;

    /// <summary>Whether user row <paramref name="user"/> has a trained representation (a training edge).</summary>
    public bool IsTrained(int user) => (uint)user < (uint)UserCount && !HistoryOf(user).IsEmpty;

    /// <summary>Compact index of item row <paramref name="row"/> (key - 1), or -1 for an item that cannot be recommended.</summary>
    public int CompactOf(int row)
    {
        // ItemRowOf is ascending (compact index = rank of the item key), so a binary search finds the row without a table per key.
        int j = Array.BinarySearch(ItemRowOf, row);
        return j >= 0 ? j : -1;
    }
}
