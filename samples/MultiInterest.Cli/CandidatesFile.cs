using System.Globalization;
using System.Text;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Cli;

/// <summary>
/// Writes candidates.tsv (<c>user method rank item score</c>, one line per candidate, the score in round-trip format):
/// 17 million lines on cit-HepPh, so blocks of users are formatted straight to UTF-8 on every core and written in order.
/// </summary>
internal static class CandidatesFile
{
    /// <summary>Test users per formatted block (about 2 MB of text for lists of 50).</summary>
    private const int BlockUsers = 1024;

    public static void Write(string path, IdMap users, IdMap items, ProtocolResult result)
    {
        var userIds = result.TestUsers.Select(u => Encoding.UTF8.GetBytes(users[u])).ToArray();
        var itemIds = new byte[items.Count][];
        for (int i = 0; i < itemIds.Length; i++) itemIds[i] = Encoding.UTF8.GetBytes(items[i]);
        int blocks = (userIds.Length + BlockUsers - 1) / BlockUsers;
        int workers = Math.Max(1, Environment.ProcessorCount);
        var texts = new MemoryStream[workers];
        for (int w = 0; w < workers; w++) texts[w] = new MemoryStream();

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        file.Write("user\tmethod\trank\titem\tscore\n"u8);
        foreach (var method in result.Methods)
        {
            foreach (var (cutoff, lists) in method.Candidates.OrderBy(p => p.Key))
            {
                byte[] name = Encoding.UTF8.GetBytes($"{method.Name}@{cutoff}");
                // A wave formats one block per worker at once; the blocks are then written in their order.
                for (int first = 0; first < blocks; first += workers)
                {
                    int wave = Math.Min(workers, blocks - first);
                    Parallel.For(0, wave, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                    {
                        texts[w].SetLength(0);
                        int from = (first + w) * BlockUsers, to = Math.Min(userIds.Length, from + BlockUsers);
                        Format(texts[w], name, userIds, itemIds, lists, from, to);
                    });
                    for (int w = 0; w < wave; w++) file.Write(texts[w].GetBuffer(), 0, (int)texts[w].Length);
                }
            }
        }
    }

    /// <summary>The lines of users <paramref name="from"/>..<paramref name="to"/>-1 of one list set.</summary>
    private static void Format(MemoryStream text, byte[] name, byte[][] userIds, byte[][] itemIds, RankedLists lists, int from, int to)
    {
        Span<byte> number = stackalloc byte[32];
        for (int q = from; q < to; q++)
        {
            var indices = lists.IndicesOf(q);
            var scores = lists.ScoresOf(q);
            for (int r = 0; r < indices.Length; r++)
            {
                text.Write(userIds[q]);
                text.WriteByte((byte)'\t');
                text.Write(name);
                text.WriteByte((byte)'\t');
                (r + 1).TryFormat(number, out int written, default, CultureInfo.InvariantCulture);
                text.Write(number[..written]);
                text.WriteByte((byte)'\t');
                text.Write(itemIds[indices[r]]);
                text.WriteByte((byte)'\t');
                scores[r].TryFormat(number, out written, "R", CultureInfo.InvariantCulture);
                text.Write(number[..written]);
                text.WriteByte((byte)'\n');
            }
        }
    }
}
