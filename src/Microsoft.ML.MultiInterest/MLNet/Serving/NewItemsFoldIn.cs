using System.Globalization;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The result of <see cref="MultiInterestRecommender.FoldInNewItems(IEnumerable{ValueTuple{string, string}}, int)"/>: the new
/// recommender, which also knows the items folded in, and what was done with each edge given.
/// </summary>
public sealed class NewItemsFoldIn
{
    internal NewItemsFoldIn(MultiInterestRecommender recommender, FoldedItemCounts counts, int edges)
    {
        Recommender = recommender;
        FoldedItems = counts.Folded;
        ItemsLeftUnknown = counts.LeftUnknown;
        Edges = edges;
        FoldedEdges = counts.FoldedEdges;
        KnownItemEdges = counts.KnownItemEdges;
        UnknownUserEdges = counts.UnknownUserEdges;
        DuplicateEdges = counts.DuplicateEdges;
        FittedObjective = counts.FittedObjective;
    }

    /// <summary>
    /// The recommender with the items of <see cref="FoldedItems"/>: a new instance (the one called is unchanged and still
    /// serves); when nothing was folded in, the one called.
    /// </summary>
    public MultiInterestRecommender Recommender { get; }

    /// <summary>
    /// The items this call solved: those an earlier fold-in gave a key that this call's edges gave new users (solved again
    /// from all their users, in the order of their keys), then the new ones in the order of their first edge, the order of
    /// their new keys, after every existing item's.
    /// </summary>
    public IReadOnlyList<string> FoldedItems { get; }

    /// <summary>
    /// Items the model does not know none of whose edges is by a user it has a trained vector for: not folded in, still
    /// unknown (<see cref="MultiInterestRecommender.KnowsItem"/> false). Give them again with edges of trained users.
    /// </summary>
    public IReadOnlyList<string> ItemsLeftUnknown { get; }

    /// <summary>The edges given.</summary>
    public int Edges { get; }

    /// <summary>
    /// The distinct (trained user, new item) pairs this call added to those users' histories: the items were solved from them
    /// (and an item folded in before, from its earlier users too).
    /// </summary>
    public int FoldedEdges { get; }

    /// <summary>
    /// Edges of items the model was trained on: not read. Their trained vectors are kept (a fold-in never changes a trained
    /// item, nor a trained user's vector); a user's fresh engagements of known items belong in the history of its requests.
    /// An item folded in by an earlier call is not one: its edges by new users are read, and it is solved again.
    /// </summary>
    public int KnownItemEdges { get; }

    /// <summary>
    /// Edges of new items by users the model has no trained vector for (users new since the fit, or without a training
    /// edge): not read, since the fold-in solves against the trained users' vectors.
    /// </summary>
    public int UnknownUserEdges { get; }

    /// <summary>
    /// Whether the objective the items were solved with was fitted to the trained items (so that folding them in from their
    /// users reproduces their vectors: vectors no ALS objective produced, such as truncated SVD or negative sampling) rather
    /// than the one the item vectors were trained with (implicit ALS, or an objective the stage was given). False when
    /// nothing was folded in. For a fusion, the first source's.
    /// </summary>
    public bool FittedObjective { get; }

    /// <summary>Edges of new items by trained users that repeat a (user, item) pair already given (in this call, or folded in before): read once.</summary>
    public int DuplicateEdges { get; }

    /// <summary>
    /// One line of the counts, for a log: the items folded in and the edges they were solved from, the edges given and those
    /// not read (of known items, of users without a trained vector, repeats), and the items left unknown.
    /// </summary>
    /// <returns>The line, in invariant culture.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Folded in {Count(FoldedItems.Count, "item")} from {Count(FoldedEdges, "edge")} of trained users; of the {Count(Edges, "edge")} given, {KnownItemEdges} of a known item, ")
        + string.Create(CultureInfo.InvariantCulture, $"{UnknownUserEdges} of a user without a trained vector and {DuplicateEdges} repeating a pair were not read; ")
        + string.Create(CultureInfo.InvariantCulture, $"{Count(ItemsLeftUnknown.Count, "item")} left unknown (no edge of a trained user)")
        + (FittedObjective ? "; solved with the objective fitted to the trained items." : ".");

    /// <summary>"1 item", "2 items".</summary>
    private static string Count(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
