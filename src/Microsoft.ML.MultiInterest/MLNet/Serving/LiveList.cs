namespace Microsoft.ML.MultiInterest;

/// <summary>One retrieved list: compact item indices best first, their scores, and where the list came from.</summary>
internal readonly record struct LiveList(int[] Items, float[] Scores, CandidateSource Source);

/// <summary>
/// A list with the interest of the user that placed each item (index into <paramref name="Interests"/>; -1: none, the unimodal
/// head or fill), the user's interests, and the history (compact items, ascending: a graph row) the user's representation was read from.
/// </summary>
internal sealed record LiveExplanation(LiveList List, int[] Components, LiveInterest[] Interests, int[] History);

/// <summary>One interest of a served user: its weight, its item cluster (-1 when it is not one), and the history items (compact) it covers.</summary>
internal readonly record struct LiveInterest(double Weight, int Cluster, int[] HistoryItems);
