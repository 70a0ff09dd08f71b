namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of evaluation, in one place: <see cref="MultiInterestEvaluatorOptions"/> and the protocol's
/// <see cref="ProtocolSettings"/> start from these values.
/// </summary>
public static class EvaluationDefaults
{
    /// <summary>The cutoffs K: 10, 20 and 50. A new array on every call, so callers may keep and change it.</summary>
    public static int[] Cutoffs => [10, 20, 50];

    /// <summary>Held-out edges of users or items unseen in training count as misses (<see cref="UnseenHeldOut.Miss"/>).</summary>
    public const UnseenHeldOut Unseen = UnseenHeldOut.Miss;
}
