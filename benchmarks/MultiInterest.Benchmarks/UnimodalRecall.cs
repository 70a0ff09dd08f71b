using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>Unimodal Recall@10, @20 and @50 of trained embeddings, through the library's own retriever and metric.</summary>
internal static class UnimodalRecall
{
    public static (double At10, double At20, double At50, int Users) Evaluate(EmbeddingMatrix users, EmbeddingMatrix items, BipartiteGraph train, BipartiteGraph test)
    {
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        var lists = new UnimodalRetriever(items).Retrieve(users, testUsers, train, 50);
        double at10 = 0, at20 = 0, at50 = 0;
        for (int q = 0; q < testUsers.Length; q++)
        {
            var top = lists.IndicesOf(q);
            var heldOut = test.ItemsOf(testUsers[q]);
            at10 += RetrievalMetrics.Recall(top[..Math.Min(10, top.Length)], heldOut);
            at20 += RetrievalMetrics.Recall(top[..Math.Min(20, top.Length)], heldOut);
            at50 += RetrievalMetrics.Recall(top, heldOut);
        }
        return (at10 / testUsers.Length, at20 / testUsers.Length, at50 / testUsers.Length, testUsers.Length);
    }
}
