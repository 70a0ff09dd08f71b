using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// A retrieval stage over a divide-and-conquer GraphEmbedding's vectors reads a new user's history (the History column,
/// <see cref="MultiInterestRecommender.Recommend(string, IEnumerable{string}, int)"/> with a history, the saved zip) as
/// <see cref="RetrievalSettings.HistoryVector"/> says: by the model's encoder (<see cref="HistoryVector.Encoder"/>), by the
/// fold-in fitted to the encoder's queries of the trained users (Auto where the stage reads user vectors), or by the mean of
/// the history items' output vectors. The mean is not the model's reading of a history: the stage says so once, at Fit, when
/// it reads histories by the mean (asked for, or the only reading left for an encoder a stage cannot serve), rather than serve
/// new users a ranking by item-to-item similarity as if it were the model's; and it says which reading Auto chose.
/// </summary>
internal static class DivideConquerHistoryWarning
{
    /// <summary>Warns when <paramref name="itemColumn"/> carries a divide-and-conquer model's mark and the stage reads histories by the mean; logs Auto's choice otherwise.</summary>
    /// <returns>Whether the warning was logged.</returns>
    public static bool Check(MLContext context, string component, DataViewSchema.Column itemColumn, RetrievalSettings settings, HistoryVector asked)
    {
        if (DivideConquerAnnotations.Read(itemColumn) is not { } encoder || settings.Interests == MmrInterests.History) return false;
        if (settings.HistoryVector != HistoryVector.Mean)
        {
            if (asked != HistoryVector.Auto) return false;
            string how = settings.HistoryVector == HistoryVector.Encoder ? $"the model's {encoder} encoder (the stage reads no user vectors to fit a fold-in to)."
                : "the fold-in fitted to the trained users' vectors (the encoder's queries), which recalled more for users left out of the fit than the encoder's own "
                    + "query; HistoryVector = Encoder serves that query.";
            Logging.Info(context, component, $"HistoryVector Auto on the divide-and-conquer vectors of column '{itemColumn.Name}': a new user's history is read by {how}");
            return false;
        }
        string stand = encoder == nameof(DivideConquerEncoder.UserVector)
            ? "The UserVector encoder has no query for a user it was not trained on, so the mean stands in for one"
            : encoder == nameof(DivideConquerEncoder.SelfAttention)
            ? "The SelfAttention encoder reads a history in time order, which the serving paths do not keep, so the stage cannot hold it and the mean stands in"
            : $"HistoryVector = Mean was asked for, so a new user's list ranks the items by their similarity to the history's items, not by the query the "
                + $"{encoder} encoder gives that history: HistoryVector = Encoder serves that query (saved in the zip), Auto the fold-in fitted to it";
        Logging.Warning(context, component, $"The item vectors in column '{itemColumn.Name}' come from a divide-and-conquer GraphEmbedding, whose user "
            + $"column is each trained user's encoder query, but this stage reads a new user's history (History column, Recommend with a history, the "
            + $"saved model, ONNX) as the mean of the history items' vectors. {stand}. The encoder's query of any history is the fitted "
            + $"GraphEmbeddingTransformer.DivideConquer's (UserQueries, or BuildMixtures with a ClusterQuotaRetriever over its Items and Clustering).");
        return true;
    }
}
