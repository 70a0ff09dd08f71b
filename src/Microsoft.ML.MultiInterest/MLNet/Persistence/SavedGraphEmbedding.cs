using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The graph embeddings read back from a saved model (see <see cref="MultiInterestModel"/>).</summary>
public sealed class SavedGraphEmbedding
{
    internal SavedGraphEmbedding(string userColumn, string itemColumn, string userEmbeddingColumn, string itemEmbeddingColumn,
        KeyedEmbeddings users, KeyedEmbeddings items, KeyNameList userIds, KeyNameList itemIds)
    {
        UserColumnName = userColumn;
        ItemColumnName = itemColumn;
        UserEmbeddingColumnName = userEmbeddingColumn;
        ItemEmbeddingColumnName = itemEmbeddingColumn;
        UserEmbeddings = users;
        ItemEmbeddings = items;
        UserNames = userIds;
        ItemNames = itemIds;
    }

    /// <summary>The user key column the stage reads.</summary>
    public string UserColumnName { get; }

    /// <summary>The item key column the stage reads.</summary>
    public string ItemColumnName { get; }

    /// <summary>The user embedding column the stage appends.</summary>
    public string UserEmbeddingColumnName { get; }

    /// <summary>The item embedding column the stage appends.</summary>
    public string ItemEmbeddingColumnName { get; }

    /// <summary>User embeddings by user row (key - 1): the users that had a vector when the model was saved.</summary>
    public KeyedEmbeddings UserEmbeddings { get; }

    /// <summary>Item embeddings by item row (key - 1): the items that had a vector when the model was saved.</summary>
    public KeyedEmbeddings ItemEmbeddings { get; }

    /// <summary>The raw id of each user row.</summary>
    public IReadOnlyList<string> UserIds => UserNames;

    /// <summary>The raw id of each item row.</summary>
    public IReadOnlyList<string> ItemIds => ItemNames;

    internal KeyNameList UserNames { get; }

    internal KeyNameList ItemNames { get; }

    /// <summary>The components of a mixture-embedding stage (null when the stage was trained with a single-vector algorithm).</summary>
    public MixtureEmbeddingResult? Mixture { get; init; }
}
