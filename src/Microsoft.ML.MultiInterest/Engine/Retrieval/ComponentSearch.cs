namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The two steps every quota retriever takes per component: choosing the query that ranks the component's group
/// (<see cref="QuotaQuery"/>) and ranking the group's members with it. Shared by <see cref="ClusterQuotaRetriever"/> and
/// the conditional retriever, so the two cannot rank a cluster differently.
/// </summary>
internal static class ComponentSearch
{
    /// <summary>The vector that ranks component <paramref name="j"/> of <paramref name="user"/>: its embedding, the user's own vector, or their blend (written to <paramref name="buffer"/>).</summary>
    public static ReadOnlySpan<float> Query(QuotaQuery kind, double beta, MixtureTable mixtures, int user, int j, EmbeddingMatrix? userEmbeddings, float[] buffer)
    {
        switch (kind)
        {
            case QuotaQuery.User:
                return userEmbeddings!.ReadRow(user);
            case QuotaQuery.Blend:
                QueryBlend.Write(mixtures.Embedding(user, j), userEmbeddings!.ReadRow(user), beta, buffer);
                return buffer;
            default:
                return mixtures.Embedding(user, j);
        }
    }

    /// <summary>
    /// Offers every member of a group not in <paramref name="excluded"/> to <paramref name="selector"/>, scored by
    /// <paramref name="query"/> against its row of <paramref name="grouped"/> (the group's rows start at <paramref name="first"/>).
    /// </summary>
    public static void Rank(ReadOnlySpan<float> query, ReadOnlySpan<int> members, int first, EmbeddingMatrix grouped, ItemExclusion excluded, TopKSelector selector)
    {
        for (int r = 0; r < members.Length; r++)
        {
            int item = members[r];
            if (excluded[item]) continue;
            float score = VectorMath.Dot(query, grouped.ReadRow(first + r));
            if (selector.MightEnter(score)) selector.Offer(score, item);
        }
    }
}
