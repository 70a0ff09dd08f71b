using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>--user-embeddings</c> and <c>--item-embeddings</c> must give a vector for every user and item of the training file. One
/// missing was refused by the graph's build as "train.tsv: the item 'i343' is unknown (it has no embedding / no training
/// edge)", which blamed the training file; this names the embeddings file as the one lacking the vector.
/// </summary>
internal static class GivenVectorsCoverage
{
    /// <summary>Refuses a training file with a user or an item that the given vectors lack, naming both files.</summary>
    /// <exception cref="InvalidDataException">An id of <paramref name="trainPath"/> has no vector in the given files.</exception>
    public static void Require(IReadOnlyList<RawEdge> trainEdges, string trainPath, IdMap users, string usersPath, IdMap items, string itemsPath)
    {
        Require(trainEdges.Select(e => e.User), "user", "--user-embeddings", usersPath, users, trainPath);
        Require(trainEdges.Select(e => e.Item), "item", "--item-embeddings", itemsPath, items, trainPath);
    }

    private static void Require(IEnumerable<string> ids, string what, string option, string path, IdMap vectors, string trainPath)
    {
        var missing = ids.Where(id => !vectors.TryGetIndex(id, out _)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length == 0) return;
        throw new InvalidDataException($"{option} '{path}' has no vector for the {what} '{missing[0]}', which has edges in the training file '{trainPath}'"
            + (missing.Length > 1 ? $" ({Counted.Of(missing.Length, what)} of that file lack one)" : "")
            + $": every {what} of the training file needs a vector in the given embeddings. Add the vectors, or leave out --user-embeddings and --item-embeddings to train them.");
    }
}
