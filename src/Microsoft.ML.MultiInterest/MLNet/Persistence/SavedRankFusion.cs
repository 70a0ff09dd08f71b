namespace Microsoft.ML.MultiInterest;

/// <summary>The settings of a rank-fusion stage read back from a saved model (see <see cref="MultiInterestModel.RankFusions"/>).</summary>
public sealed class SavedRankFusion
{
    internal SavedRankFusion(IReadOnlyList<string> sources, IReadOnlyList<double> weights, int candidates, string candidatesColumn, string scoresColumn)
    {
        SourceColumnNames = sources;
        Weights = weights;
        Candidates = candidates;
        CandidatesColumnName = candidatesColumn;
        CandidateScoresColumnName = scoresColumn;
    }

    /// <summary>The source candidate columns, in fusion order.</summary>
    public IReadOnlyList<string> SourceColumnNames { get; }

    /// <summary>The fingerprint of the retrieval stage behind each source column (<see cref="CandidateStageId"/>), null where none was found.</summary>
    internal IReadOnlyList<string?> SourceStageIds { get; init; } = [];

    /// <summary>w_l per source.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>M, the fused list length.</summary>
    public int Candidates { get; }

    /// <summary>The fused item keys column the stage appends.</summary>
    public string CandidatesColumnName { get; }

    /// <summary>The fused scores column the stage appends.</summary>
    public string CandidateScoresColumnName { get; }
}
