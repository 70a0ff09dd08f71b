using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads each test user's candidate list from a scored view: the Candidates vector of item keys of the
/// user's first row, best first, as item rows (key - 1), with the padding key 0 dropped.
/// </summary>
internal static class CandidateListReader
{
    /// <summary>The lists of <paramref name="heldOut"/>'s test users, in its order; <paramref name="length"/> is the vector length M.</summary>
    public static int[][] Read(IDataView scored, MultiInterestEvaluatorOptions o, HeldOutEdges heldOut, out int length)
    {
        var schema = scored.Schema;
        var user = ColumnChecks.Key(schema, o.UserColumnName, nameof(o.UserColumnName), out _);
        var candidates = ColumnChecks.KeyVector(schema, o.CandidatesColumnName, nameof(o.CandidatesColumnName), out length, out _);
        KeyTypeMatch.Same(new(user, $"Column '{o.UserColumnName}' of the scored data"), new(heldOut.UserColumn, $"column '{o.UserColumnName}' of the held-out edges"));
        KeyTypeMatch.Same(new(candidates, $"Column '{o.CandidatesColumnName}' of the scored data"),
            new(heldOut.ItemColumn, $"column '{o.ItemColumnName}' of the held-out edges"));

        var indexOfUser = IndexOfUser(heldOut);
        var lists = new int[heldOut.Users.Length][];
        using (var cursor = scored.GetRowCursor([user, candidates]))
        {
            var getUser = cursor.GetGetter<uint>(user);
            var getCandidates = cursor.GetGetter<VBuffer<uint>>(candidates);
            uint key = 0;
            VBuffer<uint> keys = default;
            while (cursor.MoveNext())
            {
                getUser(ref key);
                if (key == 0 || indexOfUser[key - 1] is not (>= 0 and var q) || lists[q] != null) continue;
                getCandidates(ref keys);
                lists[q] = keys.DenseValues().Where(k => k != 0).Select(k => (int)k - 1).ToArray();
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
        string fallback = nameof(CandidateSource.Popular);
        using var cursor = scored.GetRowCursor([user, source]);
        var getUser = cursor.GetGetter<uint>(user);
        var getSource = cursor.GetGetter<ReadOnlyMemory<char>>(source);
        uint key = 0;
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            getUser(ref key);
            if (key == 0 || key > userCount || read[key - 1]) continue;
            read[key - 1] = true;
            getSource(ref text);
            popular[key - 1] = text.Span.SequenceEqual(fallback);
        }
        return popular;
    }

    /// <summary>The test-user index of each user row, or -1.</summary>
    public static int[] IndexOfUser(HeldOutEdges heldOut)
    {
        var index = Enumerable.Repeat(-1, heldOut.UserCount).ToArray();
        for (int q = 0; q < heldOut.Users.Length; q++) index[heldOut.Users[q]] = q;
        return index;
    }
}
