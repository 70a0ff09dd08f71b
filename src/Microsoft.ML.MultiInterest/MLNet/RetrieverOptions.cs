namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The options every candidate retriever shares (<see cref="UnimodalRetrieverEstimator.Options"/>,
/// <see cref="MmrRetrieverEstimator.Options"/>, <see cref="ClusterQuotaRetrieverEstimator.Options"/>,
/// <see cref="RoundRobinRetrieverEstimator.Options"/>): the input and
/// output columns and the degree of parallelism. Each retriever's own options and defaults are in its subclass.
/// </summary>
public abstract class RetrieverOptions : MultiInterestStageOptions
{
    /// <summary>The user key column. Default <see cref="MultiInterestColumnNames.User"/>.</summary>
    public string UserColumnName = MultiInterestColumnNames.User;

    /// <summary>The item key column (its key type defines the catalogue). Default <see cref="MultiInterestColumnNames.Item"/>.</summary>
    public string ItemColumnName = MultiInterestColumnNames.Item;

    /// <summary>The item embedding column. Default <see cref="MultiInterestColumnNames.ItemEmbedding"/>.</summary>
    public string ItemEmbeddingColumnName = MultiInterestColumnNames.ItemEmbedding;

    /// <summary>Degree of parallelism; 0 = all cores, else at most 1,024. The result does not depend on it. Default 0.</summary>
    public int Threads;

    /// <summary>Output: the candidate item keys. Default <see cref="MultiInterestColumnNames.Candidates"/>.</summary>
    public string CandidatesColumnName = MultiInterestColumnNames.Candidates;

    /// <summary>Output: the candidate scores. Default <see cref="MultiInterestColumnNames.CandidateScores"/>.</summary>
    public string CandidateScoresColumnName = MultiInterestColumnNames.CandidateScores;

    /// <summary>
    /// Transform input: the optional fresh-history column (a vector of item keys from the fitted item mapping, or of raw item ids
    /// as text), read when the input has it. Its items are excluded from the row's list; a user without a trained vector gets a
    /// representation built from them. A chain loaded with <c>mlContext.Model.Load</c> does not read it (it looks the saved
    /// lists up: docs/persistence.md); <c>CreateRecommender(MultiInterestModel.Load(...))</c> does. Default
    /// <see cref="MultiInterestColumnNames.History"/>.
    /// </summary>
    public string HistoryColumnName = MultiInterestColumnNames.History;

    /// <summary>
    /// How a user the stage was not trained on is read from its history (the <see cref="HistoryColumnName"/> column,
    /// <c>Recommend(user, history)</c>, the ONNX scorers' fresh histories) into its single vector: the implicit-ALS fold-in
    /// of the history, the mean of its items' vectors, or the query of the divide-and-conquer model the item vectors come from
    /// (<see cref="Engine.HistoryVector.Encoder"/>). <see cref="Engine.HistoryVector.Auto"/> folds in when the item
    /// embedding column carries the ALS objective its vectors were trained with, and on a divide-and-conquer model's vectors
    /// (see <see cref="Engine.HistoryVector.Auto"/>). Round-robin stages read a history by their
    /// learned components and take only Auto or Mean; history-interest MMR always folds in. Default
    /// <see cref="Engine.RetrieverDefaults.HistoryVector"/>.
    /// </summary>
    public Engine.HistoryVector HistoryVector = Engine.RetrieverDefaults.HistoryVector;

    /// <summary>Output: where each list came from (<see cref="CandidateSource"/> as text). Default <see cref="MultiInterestColumnNames.CandidateSource"/>.</summary>
    public string CandidateSourceColumnName = MultiInterestColumnNames.CandidateSource;

    /// <summary>
    /// The edge columns every retriever reads (user, item, item embedding), each with the option that names it; a retriever
    /// adds its own with a <c>with</c> expression.
    /// </summary>
    internal EdgeColumns SharedColumns() => new()
    {
        User = (UserColumnName, nameof(UserColumnName)),
        Item = (ItemColumnName, nameof(ItemColumnName)),
        ItemVector = (ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName)),
    };

    /// <summary>Checks the shared input columns of <paramref name="input"/>: user and item keys, the item embedding vector, the optional history.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    internal void CheckSharedShape(SchemaShape input)
    {
        ShapeChecks.Key(input, UserColumnName, nameof(UserColumnName));
        ShapeChecks.Key(input, ItemColumnName, nameof(ItemColumnName));
        ShapeChecks.Vector(input, ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName), Microsoft.ML.Data.NumberDataViewType.Single);
        ShapeChecks.OptionalHistory(input, HistoryColumnName, nameof(HistoryColumnName));
    }

    /// <summary>The output shape: <paramref name="input"/> with the candidates, their scores and each list's source appended.</summary>
    internal SchemaShape AppendOutputShape(SchemaShape input) =>
        CandidateShape.Append(input, CandidatesColumnName, CandidateScoresColumnName, CandidateSourceColumnName);

    /// <summary>Checks the shared columns and <see cref="Threads"/>, naming the first bad option.</summary>
    private protected void ValidateShared()
    {
        OptionChecks.ColumnName(UserColumnName, nameof(UserColumnName));
        OptionChecks.ColumnName(ItemColumnName, nameof(ItemColumnName));
        OptionChecks.ColumnName(ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName));
        OptionChecks.ColumnName(CandidatesColumnName, nameof(CandidatesColumnName));
        OptionChecks.ColumnName(CandidateScoresColumnName, nameof(CandidateScoresColumnName));
        OptionChecks.ColumnName(HistoryColumnName, nameof(HistoryColumnName));
        OptionChecks.ColumnName(CandidateSourceColumnName, nameof(CandidateSourceColumnName));
        OptionChecks.Threads(Threads, nameof(Threads));
        if (!Enum.IsDefined(HistoryVector))
            throw new ArgumentOutOfRangeException(nameof(HistoryVector), HistoryVector, $"{nameof(HistoryVector)} is not a defined value (Auto, Mean, FoldIn or Encoder).");
        OptionChecks.DistinctOutputs(
            [(CandidatesColumnName, nameof(CandidatesColumnName)), (CandidateScoresColumnName, nameof(CandidateScoresColumnName)), (CandidateSourceColumnName, nameof(CandidateSourceColumnName))],
            InputColumns().ToList());
    }

    /// <summary>Every input column the retriever reads, with its option: the outputs may not hide any of them.</summary>
    private protected virtual IEnumerable<(string? Name, string Option)> InputColumns() =>
    [
        (UserColumnName, nameof(UserColumnName)), (ItemColumnName, nameof(ItemColumnName)),
        (ItemEmbeddingColumnName, nameof(ItemEmbeddingColumnName)), (HistoryColumnName, nameof(HistoryColumnName)),
    ];
}
