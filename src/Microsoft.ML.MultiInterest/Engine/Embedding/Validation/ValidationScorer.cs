namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Recall@K (and NDCG@K) of dot-product retrieval on a validation hold-out, over a fixed sample of its users, with the
/// users' training items excluded: the protocol's unimodal figure, on data the test split never sees.
/// </summary>
internal sealed class ValidationScorer
{
    private readonly BipartiteGraph _train;
    private readonly BipartiteGraph _validation;
    private readonly int[] _users;

    /// <summary>Scores on at most <paramref name="maxUsers"/> validation users, drawn with <paramref name="seed"/> (0 = all).</summary>
    public ValidationScorer(ValidationSplit split, int cutoff, int maxUsers, int seed)
    {
        if (cutoff < 1) throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, "The validation cutoff K must be at least 1.");
        _train = split.Train;
        _validation = split.Validation;
        Cutoff = cutoff;
        _users = SampleUsers(_validation, maxUsers, seed, 0x5C0, out int heldOutUsers);
        HeldOutUserCount = heldOutUsers;
    }

    /// <summary>
    /// The users with a held-out edge, ascending; at most <paramref name="maxUsers"/> of them (0 = all), drawn without
    /// replacement from the random stream (<paramref name="seed"/>, <paramref name="stream"/>).
    /// </summary>
    internal static int[] SampleUsers(BipartiteGraph validation, int maxUsers, int seed, long stream) => SampleUsers(validation, maxUsers, seed, stream, out _);

    /// <summary>As <see cref="SampleUsers(BipartiteGraph, int, int, long)"/>, and how many users hold a held-out edge.</summary>
    private static int[] SampleUsers(BipartiteGraph validation, int maxUsers, int seed, long stream, out int heldOutUsers)
    {
        var users = Enumerable.Range(0, validation.UserCount).Where(u => validation.DegreeOf(u) > 0).ToArray();
        heldOutUsers = users.Length;
        if (maxUsers == 0 || users.Length <= maxUsers) return users;
        var random = new EmbeddingRandom(seed, stream);
        for (int j = 0; j < maxUsers; j++)
        {
            int pick = j + random.NextInt(users.Length - j);
            (users[j], users[pick]) = (users[pick], users[j]);
        }
        var sample = users[..maxUsers];
        Array.Sort(sample);
        return sample;
    }

    /// <summary>K of Recall@K.</summary>
    public int Cutoff { get; }

    /// <summary>Number of users scored.</summary>
    public int UserCount => _users.Length;

    /// <summary>Number of users with a held-out edge, of whom <see cref="UserCount"/> are scored.</summary>
    public int HeldOutUserCount { get; }

    /// <summary>
    /// The most items a scored user has not seen in training (the catalogue less its training items): a list of
    /// <see cref="Cutoff"/> at or above it, for every user, holds every held-out item whatever the vectors.
    /// </summary>
    public int MostUnseenItems
    {
        get
        {
            int most = 0;
            foreach (int u in _users) most = Math.Max(most, _train.ItemCount - _train.DegreeOf(u));
            return most;
        }
    }

    /// <summary>Mean Recall@K and NDCG@K of the top-K items by dot(user, item).</summary>
    public ValidationScore Score(EmbeddingMatrix users, EmbeddingMatrix items, int threads)
    {
        if (_users.Length == 0) return new ValidationScore(0, 0);
        return Measure(new UnimodalRetriever(items, skipZeroRows: false).Retrieve(users, _users, _train, Cutoff, threads));
    }

    /// <summary>
    /// <see cref="Score(EmbeddingMatrix, EmbeddingMatrix, int)"/> for each rescaling of the items (item i's vector times
    /// <paramref name="itemScales"/>[s][i]), in one scan: the scale multiplies each dot product, so the figures equal the
    /// rescaled vectors' up to float rounding.
    /// </summary>
    public ValidationScore[] Score(EmbeddingMatrix users, EmbeddingMatrix items, IReadOnlyList<float[]> itemScales, int threads)
    {
        if (_users.Length == 0) return itemScales.Select(_ => new ValidationScore(0, 0)).ToArray();
        return new UnimodalRetriever(items, skipZeroRows: false).RetrieveScaled(users, _users, _train, Cutoff, itemScales, threads).Select(Measure).ToArray();
    }

    /// <summary>Mean Recall@K and NDCG@K of round-robin retrieval over the users' mixture components.</summary>
    public ValidationScore Score(MixtureEmbeddingResult mixture, int threads)
    {
        if (_users.Length == 0) return new ValidationScore(0, 0);
        var retriever = new RoundRobinRetriever(mixture.ItemComponents, mixture.DestinationComponents);
        return Measure(retriever.Retrieve(mixture.ToMixtureTable(_users), _users, _train, [Cutoff], threads)[0]);
    }

    /// <summary>Mean Recall@K and NDCG@K of divide-and-conquer retrieval: the model's per-cluster queries served by cluster quotas (alpha 1).</summary>
    public ValidationScore Score(DivideConquerModel model, int threads)
    {
        if (_users.Length == 0) return new ValidationScore(0, 0);
        var retriever = new ClusterQuotaRetriever(model.Items, model.Clustering, skipZeroRows: false);
        return Measure(retriever.Retrieve(model.BuildMixtures(_train, _users, threads), _users, _train, [Cutoff], threads: threads)[0]);
    }

    private ValidationScore Measure(RankedLists lists)
    {
        double recall = 0, ndcg = 0;
        for (int q = 0; q < _users.Length; q++)
        {
            var heldOut = _validation.ItemsOf(_users[q]);
            var candidates = lists.IndicesOf(q);
            recall += RetrievalMetrics.Recall(candidates, heldOut);
            ndcg += RetrievalMetrics.Ndcg(candidates, heldOut, Cutoff);
        }
        return new ValidationScore(recall / _users.Length, ndcg / _users.Length);
    }
}

/// <summary>Validation figures of one set of embeddings.</summary>
/// <param name="Recall">Mean Recall@K.</param>
/// <param name="Ndcg">Mean NDCG@K.</param>
internal readonly record struct ValidationScore(double Recall, double Ndcg);
