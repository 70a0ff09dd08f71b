using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads each test user's candidate list from a scored view: the Candidates vector of item keys of the
/// user's first row, best first, as item rows (key - 1), with the padding key 0 dropped. Every later row of the user must
/// hold the same list (it is compared), unless a retriever marked the column as looked up by the user key
/// (<see cref="PerKeyAnnotation"/>), when later rows are not read.
/// </summary>
internal static class CandidateListReader
{
    /// <summary>The lists of <paramref name="heldOut"/>'s test users, in its order; <paramref name="length"/> is the vector length M.</summary>
    public static int[][] Read(IDataView scored, MultiInterestEvaluatorOptions o, HeldOutEdges heldOut, out int length)
    {
        var schema = scored.Schema;
        var user = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out _);
        var candidates = ColumnChecks.KeyVector(schema, o.CandidatesColumnName, nameof(o.CandidatesColumnName), out length, out int itemCount);
        KeyTypeMatch.Same(new(user, $"Column '{o.UserColumnName}' of the scored data"), new(heldOut.UserColumn, $"column '{o.UserColumnName}' of the held-out edges"));
        KeyTypeMatch.Same(new(candidates, $"Column '{o.CandidatesColumnName}' of the scored data"),
            new(heldOut.ItemColumn, $"column '{o.ItemColumnName}' of the held-out edges"));

        var indexOfUser = IndexOfUser(heldOut);
        var lists = new int[heldOut.Users.Length][];
        bool compareRows = !PerKeyAnnotation.Holds(candidates, user);
        var later = new int[length];
        using (var cursor = scored.GetRowCursor([user, candidates]))
        {
            var getUser = cursor.GetGetter<uint>(user);
            var getCandidates = cursor.GetGetter<VBuffer<uint>>(candidates);
            uint key = 0;
            VBuffer<uint> keys = default;
            while (cursor.MoveNext())
            {
                getUser(ref key);
                if (key == 0 || indexOfUser[key - 1] is not (>= 0 and var q) || (lists[q] != null && !compareRows)) continue;
                getCandidates(ref keys);
                if (lists[q] == null)
                {
                    lists[q] = keys.DenseValues().Where(k => k != 0).Select(k => (int)k - 1).ToArray();
                    continue;
                }
                int count = 0;
                foreach (uint k in keys.DenseValues())
                    if (k != 0) later[count++] = (int)k - 1;
                if (!lists[q].AsSpan().SequenceEqual(later.AsSpan(0, count)))
                    throw EntityRows.Differ((o.CandidatesColumnName, nameof(o.CandidatesColumnName)), "user", (user, heldOut.UserCount, heldOut.Users[q]),
                        Difference(lists[q], later.AsSpan(0, count), candidates, itemCount), "candidate list", nameof(scored), PerRowListHint);
            }
        }

        for (int q = 0; q < lists.Length; q++)
        {
            if (lists[q] == null)
                throw new ArgumentException($"Test user {heldOut.DescribeUser(q)} has held-out edges but no row in the scored data, so it has no "
                    + $"candidates (column '{o.CandidatesColumnName}'): score every test user, for example by transforming the held-out edges themselves.", nameof(scored));
        }
        return lists;
    }

    /// <summary>
    /// Which user rows <paramref name="scored"/> serves the popular fallback (its
    /// <see cref="MultiInterestEvaluatorOptions.CandidateSourceColumnName"/> text on the user's first row is
    /// <see cref="CandidateSource.Popular"/>): a user key with no training edge, as when the key mapping was fitted on
    /// held-out rows too. Null when the view has no such column.
    /// </summary>
    public static bool[]? PopularUsers(IDataView scored, MultiInterestEvaluatorOptions o, int userCount)
    {
        var schema = scored.Schema;
        if (schema.GetColumnOrNull(o.CandidateSourceColumnName) is not { } source) return null;
        if (source.Type is not TextDataViewType)
            throw ColumnChecks.Mismatch(o.CandidateSourceColumnName, nameof(o.CandidateSourceColumnName), "text (a CandidateSource name)", source.Type);
        var user = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out _);
        var popular = new bool[userCount];
        var read = new bool[userCount];
        bool compareRows = !PerKeyAnnotation.Holds(source, user);
        string fallback = nameof(CandidateSource.Popular);
        using var cursor = scored.GetRowCursor([user, source]);
        var getUser = cursor.GetGetter<uint>(user);
        var getSource = cursor.GetGetter<ReadOnlyMemory<char>>(source);
        uint key = 0;
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            getUser(ref key);
            if (key == 0 || key > userCount || (read[key - 1] && !compareRows)) continue;
            getSource(ref text);
            bool isPopular = text.Span.SequenceEqual(fallback);
            if (read[key - 1] && isPopular != popular[key - 1])
                throw EntityRows.Differ((o.CandidateSourceColumnName, nameof(o.CandidateSourceColumnName)), "user", (user, userCount, (int)key - 1),
                    $"{(popular[key - 1] ? fallback : "not " + fallback)} on its first row, '{text}' on a later one", "source", nameof(scored));
            read[key - 1] = true;
            popular[key - 1] = isPopular;
        }
        return popular;
    }

    /// <summary>What to do when a user's lists differ by row: the usual cause is a retriever that also reads each row's history.</summary>
    internal const string PerRowListHint = "A retriever that reads a History column lists per row (each row's history is excluded and "
        + "used): evaluate a view with one row per user, or without that column.";

    /// <summary>Where two lists of item rows first differ, items named by the candidates column's KeyValues.</summary>
    private static string Difference(ReadOnlySpan<int> first, ReadOnlySpan<int> later, DataViewSchema.Column candidates, int itemCount)
    {
        int r = 0;
        while (r < first.Length && r < later.Length && first[r] == later[r]) r++;
        string At(ReadOnlySpan<int> list) => r < list.Length ? $"item {KeyNames.Describe(candidates, itemCount, list[r])}" : "no item";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{At(first)} at rank {r + 1} on its first row, {At(later)} on a later one");
    }

    /// <summary>The test-user index of each user row, or -1.</summary>
    public static int[] IndexOfUser(HeldOutEdges heldOut)
    {
        var index = Enumerable.Repeat(-1, heldOut.UserCount).ToArray();
        for (int q = 0; q < heldOut.Users.Length; q++) index[heldOut.Users[q]] = q;
        return index;
    }
}
