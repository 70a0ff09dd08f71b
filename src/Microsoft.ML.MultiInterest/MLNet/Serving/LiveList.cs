namespace Microsoft.ML.MultiInterest;

/// <summary>One retrieved list: compact item indices best first, their scores, and where the list came from.</summary>
internal readonly record struct LiveList(int[] Items, float[] Scores, CandidateSource Source);
