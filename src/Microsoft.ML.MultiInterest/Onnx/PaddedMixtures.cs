using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The per-user tables of the mixture encoder graph: every user padded to <see cref="Components"/>
/// components (cluster -1, weight 0, zero embedding, quota 0), with the quotas for one list length
/// computed here exactly as <see cref="ClusterQuotaRetriever"/> computes them.
/// </summary>
internal sealed class PaddedMixtures
{
    /// <summary>The cluster id of a padding component.</summary>
    public const long NoCluster = -1;

    private PaddedMixtures(int users, int components, int dimension, bool embeddings)
    {
        Users = users;
        Components = components;
        Dimension = dimension;
        Clusters = new long[checked(users * components)];
        Weights = new double[users * components];
        Embeddings = embeddings ? new float[checked(users * components * dimension)] : [];
        Quotas = new long[users * components];
    }

    /// <summary>U, the number of users.</summary>
    public int Users { get; }

    /// <summary>m, the components per user after padding.</summary>
    public int Components { get; }

    /// <summary>d, the embedding dimension.</summary>
    public int Dimension { get; }

    /// <summary>[U, m] cluster ids, <see cref="NoCluster"/> for padding.</summary>
    public long[] Clusters { get; }

    /// <summary>[U, m] weights as stored by the engine (double), 0 for padding.</summary>
    public double[] Weights { get; }

    /// <summary>[U, m, d] component embeddings (each component's query), zero rows for padding; empty when created without them.</summary>
    public float[] Embeddings { get; }

    /// <summary>[U, m] slots of each component for the exported list length (after the unimodal head, if any), 0 for padding.</summary>
    public long[] Quotas { get; }

    /// <summary>Pads <paramref name="mixtures"/> and allocates <paramref name="candidates"/> slots per user with exponent <paramref name="alpha"/>.</summary>
    public static PaddedMixtures Create(MixtureTable mixtures, int candidates, double alpha) =>
        Create(mixtures, candidates, new QuotaRetrievalOptions { Alpha = alpha }, null);

    /// <summary>
    /// Pads <paramref name="mixtures"/> and allocates slots with <paramref name="options"/>' Alpha; the embedding table holds
    /// each component's <em>query</em>: u^c (Component), the user vector (User) or unit(u^c + Beta unit(u)) (Blend), so
    /// the quota scorer serves every query mode unchanged. With a unimodal head (<see cref="QuotaRetrievalOptions.HeadShare"/>)
    /// the quotas share out the M − H slots after it, as <see cref="ClusterQuotaRetriever"/> allocates them.
    /// <paramref name="embeddings"/> false leaves <see cref="Embeddings"/> empty: the encoder of <see cref="QuotaQuery.User"/>
    /// queries gathers the user vector instead of a table of m copies of it.
    /// </summary>
    public static PaddedMixtures Create(MixtureTable mixtures, int candidates, QuotaRetrievalOptions options, EmbeddingMatrix? users, bool embeddings = true)
    {
        options.Validate();
        if (options.NeedsUserVectors && users == null)
            throw new ArgumentException($"Query {options.Query} needs the user embeddings to export the queries.", nameof(users));
        double alpha = options.Alpha;
        int m = mixtures.MaxComponents, d = mixtures.Dimension;
        var padded = new PaddedMixtures(mixtures.UserCount, m, d, embeddings);
        padded.Clusters.AsSpan().Fill(NoCluster);
        var quotas = new int[m];
        for (int u = 0; u < mixtures.UserCount; u++)
        {
            int n = mixtures.ComponentCount(u);
            var clusters = mixtures.Clusters(u);
            var weights = mixtures.Weights(u);
            // The same call, with the same arguments, as ClusterQuotaRetriever makes for this user.
            QuotaAllocator.Allocate(weights, clusters, alpha, candidates - options.HeadSlots(candidates), quotas);
            for (int j = 0; j < n; j++)
            {
                padded.Clusters[u * m + j] = clusters[j];
                padded.Weights[u * m + j] = weights[j];
                padded.Quotas[u * m + j] = quotas[j];
            }
            for (int j = 0; j < n && embeddings; j++)
            {
                var slot = padded.Embeddings.AsSpan((u * m + j) * d, d);
                switch (options.Query)
                {
                    case QuotaQuery.User: users!.ReadRow(u).CopyTo(slot); break;
                    case QuotaQuery.Blend: QueryBlend.Write(mixtures.Embedding(u, j), users!.ReadRow(u), options.Beta, slot); break;
                    default: mixtures.Embedding(u, j).CopyTo(slot); break;
                }
            }
        }
        return padded;
    }
}
