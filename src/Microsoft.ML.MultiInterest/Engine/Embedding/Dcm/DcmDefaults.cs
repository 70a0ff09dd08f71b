namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>The defaults of <see cref="DcmOptions"/>, in one place.</summary>
public static class DcmDefaults
{
    /// <summary>K: 5 interest vectors per user (as many as the learned mixtures' C_s, so the two compare at equal size).</summary>
    public const int Interests = 5;

    /// <summary>T: 3 soft k-means (routing) iterations.</summary>
    public const int Iterations = 3;

    /// <summary>
    /// τ: 0.4, the temperature of the soft assignments over cosines in [−1, 1]. Chosen by validation Recall@50 on a hold-out of
    /// cit-HepPh's training edges among 0.1, 0.2 and 0.4 (docs/results.md): 0.514 / 0.594 / 0.606. Lower τ keeps the interests
    /// apart and the lists more diverse (Diversity@10 0.567 / 0.516 / 0.492) at a cost in recall.
    /// </summary>
    public const float Temperature = 0.4f;

    /// <summary>Whether τ is learned with the vectors: false (it is tuned on validation instead).</summary>
    public const bool LearnTemperature = false;

    /// <summary>β: 1, the pseudo-count pulling each centroid towards its previous position (an empty cluster stays where it was).</summary>
    public const float PriorWeight = 1f;

    /// <summary>
    /// a: 1, the power the interests' soft masses are raised to before they are normalised into weights (1: the masses
    /// themselves, as Pinterest serves them; 0: equal weights, the most diverse round robin; in between, minor interests get
    /// more of the list). On cit-HepPh's validation split the warm-started model's rule (the most diverse a within 0.002
    /// Recall@50 of a = 1) chose 0.75 (docs/results.md); the default stays the masses, as Pinterest serves them, since the
    /// cold-started model was not validated with other powers.
    /// </summary>
    public const float WeightExponent = 1f;

    /// <summary>L: 32 history items per training example (sampled when a user has more).</summary>
    public const int MaxHistory = 32;

    /// <summary>Pooling of a pair's K interest cosines: <see cref="MixturePooling.Smoothmax"/>.</summary>
    public const MixturePooling Pooling = MixturePooling.Smoothmax;

    /// <summary>γ of the smooth poolings: 0.1.</summary>
    public const float Gamma = 0.1f;

    /// <summary>Dimension d: 32, as the learned mixtures' per-component dimension (so they compare at equal size).</summary>
    public const int Dimension = 32;

    /// <summary>Epochs at most: 20 (with a validation hold-out the best epoch is kept, then the model refitted).</summary>
    public const int Epochs = 20;

    /// <summary>Learning rate: 0.2 (row-wise Adagrad).</summary>
    public const float LearningRate = 0.2f;

    /// <summary>Margin of the ranking loss: 0.3.</summary>
    public const float Margin = 0.3f;

    /// <summary>Uniform negatives per edge: 16.</summary>
    public const int Negatives = 16;

    // A warm-started model (DcmOptions.InitialItems = a single vector's item table) starts where one vector already ranks
    // well, so it wants a smaller step and more epochs. Chosen on cit-HepPh's validation split (docs/results.md): by Recall@50,
    // where two settings were within 0.003 of each other by the more diverse one; the epochs are fixed because the start has
    // seen the engine's own hold-out edges.

    /// <summary>
    /// Learning rate of a warm-started model: 0.05. At 8 epochs 0.02 recalled 0.003 more (Recall@50 0.676 against 0.673) but its
    /// lists were less diverse than the single vector's own (Diversity@10 0.622 against 0.633; 0.657 at 0.05); 0.2 loses the start (0.618 at 4 epochs).
    /// </summary>
    public const float WarmStartLearningRate = 0.05f;

    /// <summary>
    /// τ of a warm-started model: 0.2. τ 0.2 and 0.4 are within 0.002 Recall@50 at 8 and 16 epochs, each ahead once (0.675 / 0.673,
    /// 0.681 / 0.682), 0.2 the more diverse (Diversity@10 0.667 / 0.657, 0.670 / 0.659); at 32 epochs τ 0.1 recalls 0.680 against 0.686.
    /// </summary>
    public const float WarmStartTemperature = 0.2f;

    /// <summary>
    /// w of the row fusing DCM's round robin with history-interest MMR (<see cref="RankFusion"/>): the history-interest
    /// list's weight, DCM's 1 − w; chosen on cit-HepPh's validation split (docs/results.md).
    /// </summary>
    public const double FusionWeight = 0.6;

    /// <summary>Epochs of a warm-started model, fixed rather than chosen on the engine's hold-out: 32 (validation Recall@50 0.681 / 0.686 / 0.685 at 16 / 32 / 64).</summary>
    public const int WarmStartEpochs = 32;

    /// <summary>a of a warm-started model: 0.75, the most diverse power within 0.002 Recall@50 of a = 1 on validation (0.5 gave up 0.0022).</summary>
    public const float WarmStartWeightExponent = 0.75f;
}
