using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A retrieval stage over a divide-and-conquer GraphEmbedding's vectors reads a new user's history (the History column,
/// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> with a history, the saved zip and its
/// ONNX graphs alike) as <see cref="RetrievalSettings.HistoryVector"/> says, by default the mean of the history items'
/// vectors: the output vectors e_i the queries score, not the model's encoder over its input vectors s_i, which gave every
/// trained user its vector. Neither the stage nor the zip holds that encoder, so the stage cannot use it; it says so once,
/// at Fit, rather than serve new users a ranking by item-to-item similarity as if it were the model's.
/// </summary>
internal static class DivideConquerHistoryWarning
{
    /// <summary>Warns when <paramref name="itemColumn"/> carries a divide-and-conquer model's mark and the stage reads histories by the mean.</summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool Check(MLContext context, string component, DataViewSchema.Column itemColumn, RetrievalSettings settings)
    {
        if (settings.HistoryVector != HistoryVector.Mean || DivideConquerAnnotations.Read(itemColumn) is not { } encoder) return false;
        string stand = encoder == nameof(DivideConquerEncoder.UserVector)
            ? "The UserVector encoder has no query for a user it was not trained on, so the mean stands in for one"
            : $"It does not hold the {encoder} encoder (nor does the saved zip or an ONNX export), so a new user's list ranks the items by their "
                + "similarity to the history's items, not by the query the model would give that history";
        Logging.Warning(context, component, $"The item vectors in column '{itemColumn.Name}' come from a divide-and-conquer GraphEmbedding, whose user "
            + $"column is each trained user's encoder query, but this stage reads a new user's history (History column, Recommend with a history, the "
            + $"saved model, ONNX) as the mean of the history items' vectors. {stand}. For the encoder's query of a new history use the fitted "
            + $"GraphEmbeddingTransformer.DivideConquer (UserQueries, or BuildMixtures with a ClusterQuotaRetriever over its Items and Clustering).");
        return true;
    }
}
