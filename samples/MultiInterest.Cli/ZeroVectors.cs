using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// All-zero vectors, which given embeddings may hold (for ids their maker never saw): an item without a direction cannot
/// seed a cluster, and a user without one gets every item scored 0, a list in row order that reads like a ranking.
/// </summary>
internal static class ZeroVectors
{
    /// <summary>The rows of <paramref name="vectors"/> that are all zeros.</summary>
    public static int Rows(EmbeddingMatrix vectors)
    {
        int zeros = 0;
        for (int r = 0; r < vectors.Rows; r++)
            if (vectors.ReadRow(r).IndexOfAnyExcept(0f) < 0) zeros++;
        return zeros;
    }

    /// <summary>Warns of the test users (users with a scoreable test edge) whose vector is all zeros.</summary>
    /// <param name="userEmbeddings">The user vectors, one row per user of <paramref name="users"/>.</param>
    /// <param name="test">The scoreable test edges.</param>
    /// <param name="users">The users' ids.</param>
    /// <param name="givenPath">The file the vectors came from, or null when they were trained.</param>
    /// <param name="warnings">Where the warning goes.</param>
    public static void WarnOfTestUsers(EmbeddingMatrix userEmbeddings, BipartiteGraph test, IdMap users, string? givenPath, TextWriter warnings)
    {
        int testUsers = 0, zeros = 0, first = -1;
        for (int u = 0; u < test.UserCount && u < userEmbeddings.Rows; u++)
        {
            if (test.DegreeOf(u) == 0) continue;
            testUsers++;
            if (userEmbeddings.ReadRow(u).IndexOfAnyExcept(0f) >= 0) continue;
            zeros++;
            if (first < 0) first = u;
        }
        if (zeros == 0) return;
        warnings.WriteLine($"  warning: {zeros:N0} of the {testUsers:N0} test users (the first '{users[first]}') ha{(zeros == 1 ? "s" : "ve")} an all-zero vector"
            + (givenPath != null ? $" in '{givenPath}'" : "") + ": every item scores 0 for them, so their Unimodal and MMR lists are the lowest item rows, "
            + "not a ranking; they count in the figures as served.");
    }
}
