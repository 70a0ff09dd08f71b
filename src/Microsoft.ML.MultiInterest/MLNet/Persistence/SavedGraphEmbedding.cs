using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>The graph embeddings read back from a saved model (see <see cref="MultiInterestModel"/>).</summary>
public sealed class SavedGraphEmbedding
{
    internal SavedGraphEmbedding(string userColumn, string itemColumn, string userEmbeddingColumn, string itemEmbeddingColumn,
        EmbeddingMatrix users, EmbeddingMatrix items, string[] userIds, string[] itemIds)
    {
        UserColumnName = userColumn;
        ItemColumnName = itemColumn;
        UserEmbeddingColumnName = userEmbeddingColumn;
        ItemEmbeddingColumnName = itemEmbeddingColumn;
        UserEmbeddings = users;
        ItemEmbeddings = items;
        UserIds = userIds;
        ItemIds = itemIds;
    }

    /// <summary>The user key column the stage reads.</summary>
    public string UserColumnName { get; }

    /// <summary>The item key column the stage reads.</summary>
    public string ItemColumnName { get; }

    /// <summary>The user embedding column the stage appends.</summary>
    public string UserEmbeddingColumnName { get; }

    /// <summary>The item embedding column the stage appends.</summary>
    public string ItemEmbeddingColumnName { get; }

    /// <summary>User embeddings, one row per user key (row = key - 1).</summary>
    public EmbeddingMatrix UserEmbeddings { get; }

    /// <summary>Item embeddings, one row per item key (row = key - 1).</summary>
    public EmbeddingMatrix ItemEmbeddings { get; }

    /// <summary>The raw id of each user row.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>The raw id of each item row.</summary>
    public IReadOnlyList<string> ItemIds { get; }

    /// <summary>The components of a mixture-embedding stage (null when the stage was trained with a single-vector algorithm).</summary>
    public MixtureEmbeddingResult? Mixture { get; init; }
}
