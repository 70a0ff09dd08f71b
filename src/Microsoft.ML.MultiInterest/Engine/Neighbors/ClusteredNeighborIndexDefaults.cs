namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of <see cref="ClusteredNeighborIndex"/>, in one place: <see cref="ClusteredNeighborIndexOptions"/>,
/// the neighbour-index options of <see cref="KnnSmoothedMixtureEstimator.Options"/> and the command-line tools all start
/// from these values. See <see cref="ClusteredNeighborIndexOptions"/> for the measurements behind them.
/// </summary>
public static class ClusteredNeighborIndexDefaults
{
    /// <summary>Inverted lists: 0 = automatic (about 4 sqrt(n) for n indexed rows).</summary>
    public const int Lists = 0;

    /// <summary>Lists scanned per query: 16.</summary>
    public const int Probes = 16;

    /// <summary>Training points per list of the coarse quantiser: 64.</summary>
    public const int TrainingPointsPerList = 64;

    /// <summary>Lloyd iterations of the coarse quantiser: 10.</summary>
    public const int TrainingIterations = 10;

    /// <summary>Seed of the training sample and of the k-means++ seeding: 0.</summary>
    public const int Seed = 0;
}
