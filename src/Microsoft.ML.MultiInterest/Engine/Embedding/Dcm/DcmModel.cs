namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// What a trained <see cref="EmbeddingAlgorithm.DifferentiableClustering"/> model needs to compute the interests of any
/// history, including a user unseen in training: the unit item vectors, the K unit seeds, τ, β, T and the weights' exponent. Carried by
/// <see cref="GraphEmbeddingResult.Dcm"/> (not saved with ML.NET models, which keep the training users' interests in
/// <see cref="GraphEmbeddingResult.Mixture"/>); exported by <see cref="Onnx.DcmOnnxExporter"/>.
/// </summary>
public sealed class DcmModel
{
    internal DcmModel(EmbeddingMatrix items, EmbeddingMatrix seeds, float temperature, float priorWeight, int iterations, float weightExponent)
    {
        WeightExponent = weightExponent;
        Items = items;
        Seeds = seeds;
        Temperature = temperature;
        PriorWeight = priorWeight;
        Iterations = iterations;
    }

    /// <summary>Unit item vectors, one row per item.</summary>
    public EmbeddingMatrix Items { get; }

    /// <summary>The K unit seeds the soft k-means starts from.</summary>
    public EmbeddingMatrix Seeds { get; }

    /// <summary>τ, the assignment temperature (the learned value when it was learned).</summary>
    public float Temperature { get; }

    /// <summary>β, the pseudo-count of the previous centroid.</summary>
    public float PriorWeight { get; }

    /// <summary>T, the soft k-means steps.</summary>
    public int Iterations { get; }

    /// <summary>a, the power of the soft masses in the interests' weights (<see cref="DcmOptions.WeightExponent"/>).</summary>
    public float WeightExponent { get; }

    /// <summary>K, interests per user.</summary>
    public int Interests => Seeds.Rows;

    /// <summary>The seeds, τ, β and T: what serving needs, besides the item vectors, to cluster a fresh history.</summary>
    internal DcmClustering Clustering => new(Seeds, Temperature, PriorWeight, Iterations, WeightExponent);
}
