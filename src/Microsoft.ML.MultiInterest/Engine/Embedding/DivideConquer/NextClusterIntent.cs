namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A learned user-intent model for divide-and-conquer quotas: p_uk, the probability that the user's <em>next</em> item is
/// in cluster k, predicted from the clusters of its recent items in time order instead of counted as their share
/// (<see cref="DivideConquerModel.Intent"/>). A multinomial logistic regression,
/// <c>p_u = softmax(b + h_u A)</c>, where h_u is the recency-weighted cluster histogram of the user's last L items (weight
/// γ^r for the item r places before the most recent, normalised to sum 1), A a K × K matrix of cluster transitions and b
/// a bias, started at the clusters' log frequency (so an untrained model predicts the prior). Trained by Adagrad on the
/// softmax cross-entropy of every training item's cluster given the items before it, one thread, users in a seeded
/// random order: deterministic for a seed. Served through <see cref="DivideConquerModel.BuildMixtures"/>'s
/// <c>intents</c>.
/// </summary>
public sealed class NextClusterIntent
{
    private readonly ItemClustering _clustering;
    private readonly double[] _bias, _transitions;

    private NextClusterIntent(ItemClustering clustering, double decay, int maxHistory, double[] bias, double[] transitions)
    {
        (_clustering, Decay, MaxHistory, _bias, _transitions) = (clustering, decay, maxHistory, bias, transitions);
    }

    /// <summary>γ, the weight ratio between an item and the one after it in the histogram.</summary>
    public double Decay { get; }

    /// <summary>L, the most recent items read.</summary>
    public int MaxHistory { get; }

    /// <summary>K, the clusters predicted.</summary>
    public int ClusterCount => _bias.Length;

    /// <summary>Trains the model on the users' training items in time order.</summary>
    /// <param name="sequences">Each user's items, oldest first (item indices of <paramref name="clustering"/>).</param>
    /// <param name="clustering">The item clusters predicted.</param>
    /// <param name="decay">γ in (0, 1]: 1 weighs the last L items equally. Default <see cref="DivideConquerDefaults.IntentDecay"/>.</param>
    /// <param name="maxHistory">L ≥ 1. Default <see cref="DivideConquerDefaults.MaxHistory"/>.</param>
    /// <param name="epochs">Passes over the training items (≥ 0; 0 gives the prior). Default <see cref="DivideConquerDefaults.IntentEpochs"/>.</param>
    /// <param name="learningRate">Adagrad's step (&gt; 0). Default <see cref="DivideConquerDefaults.IntentLearningRate"/>.</param>
    /// <param name="seed">Seed of the users' order.</param>
    /// <returns>The trained model.</returns>
    public static NextClusterIntent Fit(IReadOnlyList<int[]> sequences, ItemClustering clustering, double decay = DivideConquerDefaults.IntentDecay,
        int maxHistory = DivideConquerDefaults.MaxHistory, int epochs = DivideConquerDefaults.IntentEpochs,
        double learningRate = DivideConquerDefaults.IntentLearningRate, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(clustering);
        if (!(decay > 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The intent decay must lie in (0, 1].");
        if (maxHistory < 1) throw new ArgumentOutOfRangeException(nameof(maxHistory), maxHistory, "The intent history length must be at least 1.");
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "The intent epochs must not be negative.");
        if (!(learningRate > 0 && double.IsFinite(learningRate))) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The intent learning rate must be positive and finite.");
        for (int u = 0; u < sequences.Count; u++) CheckedSequence(sequences, u, clustering.ItemCount);

        int k = clustering.ClusterCount;
        var bias = new double[k];
        var transitions = new double[k * k];
        // The bias starts at the log frequency of the predicted items' clusters (add-one, so no cluster starts at -inf).
        Array.Fill(bias, 1.0);
        double total = k;
        foreach (var sequence in sequences)
            for (int t = 1; t < sequence.Length; t++) { bias[clustering.ClusterOf(sequence[t])]++; total++; }
        for (int c = 0; c < k; c++) bias[c] = Math.Log(bias[c] / total);

        var model = new NextClusterIntent(clustering, decay, maxHistory, bias, transitions);
        var histogram = new Histogram(k);
        var probability = new double[k];
        var biasSquares = new double[k];
        var transitionSquares = new double[k * k];
        var order = Enumerable.Range(0, sequences.Count).ToArray();
        var random = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (int u in order)
            {
                var sequence = sequences[u];
                for (int t = 1; t < sequence.Length; t++)
                {
                    model.Predict(sequence.AsSpan(0, t), histogram, probability);
                    probability[clustering.ClusterOf(sequence[t])] -= 1; // now the logits' gradient, p - y
                    for (int c = 0; c < k; c++)
                    {
                        double g = probability[c];
                        biasSquares[c] += g * g;
                        bias[c] -= learningRate * g / (Math.Sqrt(biasSquares[c]) + 1e-10);
                    }
                    foreach (int from in histogram.Touched)
                    {
                        double h = histogram.Weights[from];
                        int row = from * k;
                        for (int c = 0; c < k; c++)
                        {
                            double g = probability[c] * h;
                            transitionSquares[row + c] += g * g;
                            transitions[row + c] -= learningRate * g / (Math.Sqrt(transitionSquares[row + c]) + 1e-10);
                        }
                    }
                }
            }
        }
        return model;
    }

    /// <summary>
    /// p_uk of every listed user (row u of the result, K columns; other rows zero), from the last
    /// <see cref="MaxHistory"/> items of <paramref name="sequences"/>[u]. A user without items gets the bias's softmax (the prior).
    /// </summary>
    /// <param name="sequences">The users' items in time order, oldest first (row = user).</param>
    /// <param name="users">The users to predict for.</param>
    /// <returns>A new matrix of one row per user of <paramref name="sequences"/> and one column per cluster.</returns>
    public EmbeddingMatrix Predict(IReadOnlyList<int[]> sequences, IReadOnlyList<int> users)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(users);
        int k = ClusterCount;
        var result = new EmbeddingMatrix(sequences.Count, k);
        var histogram = new Histogram(k);
        var probability = new double[k];
        foreach (int u in users)
        {
            if ((uint)u >= (uint)sequences.Count) throw new ArgumentOutOfRangeException(nameof(users), u, $"User {u} has no sequence (there are {sequences.Count}).");
            var sequence = CheckedSequence(sequences, u, _clustering.ItemCount);
            Predict(sequence, histogram, probability);
            var row = result.Row(u);
            for (int c = 0; c < k; c++) row[c] = (float)probability[c];
        }
        return result;
    }

    /// <summary>Sequence <paramref name="u"/>, after checking that it exists and holds only items below <paramref name="itemCount"/>.</summary>
    private static int[] CheckedSequence(IReadOnlyList<int[]> sequences, int u, int itemCount)
    {
        var sequence = sequences[u] ?? throw new ArgumentException($"Sequence {u} is null.", nameof(sequences));
        foreach (int item in sequence)
            if ((uint)item >= (uint)itemCount)
                throw new ArgumentException($"Sequence {u} holds item {item}, outside the clustering's {itemCount} items.", nameof(sequences));
        return sequence;
    }

    /// <summary>softmax(b + h A) of one history (oldest first) into <paramref name="probability"/>; leaves h in <paramref name="histogram"/>.</summary>
    private void Predict(ReadOnlySpan<int> history, Histogram histogram, double[] probability)
    {
        int k = ClusterCount;
        histogram.Build(history[Math.Max(0, history.Length - MaxHistory)..], _clustering, Decay);
        _bias.CopyTo(probability, 0);
        foreach (int from in histogram.Touched)
        {
            double h = histogram.Weights[from];
            var row = _transitions.AsSpan(from * k, k);
            for (int c = 0; c < k; c++) probability[c] += h * row[c];
        }
        double max = probability.Max(), sum = 0;
        for (int c = 0; c < k; c++) sum += probability[c] = Math.Exp(probability[c] - max);
        for (int c = 0; c < k; c++) probability[c] /= sum;
    }

    /// <summary>A sparse recency-weighted cluster histogram, normalised to sum 1.</summary>
    private sealed class Histogram(int clusters)
    {
        private readonly List<int> _touched = new(clusters);
        private readonly bool[] _isTouched = new bool[clusters];

        public double[] Weights { get; } = new double[clusters];

        public List<int> Touched => _touched;

        public void Build(ReadOnlySpan<int> recent, ItemClustering clustering, double decay)
        {
            foreach (int c in _touched) (Weights[c], _isTouched[c]) = (0, false);
            _touched.Clear();
            double weight = 1, total = 0;
            for (int j = recent.Length - 1; j >= 0; j--, weight *= decay)
            {
                int c = clustering.ClusterOf(recent[j]);
                if (!_isTouched[c]) { _isTouched[c] = true; _touched.Add(c); }
                Weights[c] += weight;
                total += weight;
            }
            foreach (int c in _touched) Weights[c] /= total;
        }
    }
}
