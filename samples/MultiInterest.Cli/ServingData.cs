using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary>The raw edge rows the <c>fit</c> pipeline is trained on and <c>recommend</c> feeds to a loaded model.</summary>
internal static class ServingData
{
    public const string UserColumn = Microsoft.ML.MultiInterest.MultiInterestColumnNames.User;
    public const string ItemColumn = Microsoft.ML.MultiInterest.MultiInterestColumnNames.Item;

    /// <summary>The edge weight column of the training rows under <c>--weights</c>, which GraphEmbedding reads (WeightColumnName).</summary>
    public const string WeightColumn = Microsoft.ML.MultiInterest.MultiInterestColumnNames.Weight;

    public sealed class EdgeRow
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";
    }

    /// <summary>A training row with its edge weight (<see cref="TrainingRows"/> under <c>--weights</c>).</summary>
    private sealed class WeightedEdgeRow
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public float Weight { get; set; }
    }

    /// <summary>A request row for a model whose input columns are keys (saved from its stages without a key mapping).</summary>
    private sealed class KeyRow
    {
        public uint User { get; set; }

        public uint Item { get; set; }
    }

    /// <summary>
    /// The rows <c>recommend</c> feeds a loaded model for <paramref name="users"/>: their text ids, or, when the model's
    /// input schema has a key column <c>User</c> (stages saved without their <c>MapValueToKey</c>, so the ids are the key
    /// numbers), each id's key, 0 (a user the model does not know) for an id that is not a key of the model's range. The
    /// loaded chain refuses text where it was saved with a key.
    /// </summary>
    /// <exception cref="InvalidDataException">The model's User or Item input column is neither text nor a key (a model fitted on numeric id columns).</exception>
    public static IDataView RequestRows(MLContext ml, DataViewSchema inputSchema, IReadOnlyList<string> users)
    {
        // A numeric id column would need each id parsed back to the value it was fitted on, and one a number cannot be has no
        // value meaning "unknown" in an integer column: such a model is served by the scorers that map ids themselves.
        foreach (string column in new[] { UserColumn, ItemColumn })
            if (inputSchema.GetColumnOrNull(column)?.Type is { } type and not (TextDataViewType or KeyDataViewType))
                throw new InvalidDataException($"The model's input column '{column}' is {type}: recommend reads a saved chain's lists by text ids or key numbers only. "
                    + "Serve this model with --recommender or --engine, which map ids of any type.");
        if (inputSchema.GetColumnOrNull(UserColumn)?.Type is not KeyDataViewType userKey)
            return ml.Data.LoadFromEnumerable(users.Select(u => new EdgeRow { User = u, Item = "" }));
        var definition = SchemaDefinition.Create(typeof(KeyRow));
        definition[UserColumn].ColumnType = new KeyDataViewType(typeof(uint), userKey.Count);
        if (inputSchema.GetColumnOrNull(ItemColumn)?.Type is KeyDataViewType itemKey)
            definition[ItemColumn].ColumnType = new KeyDataViewType(typeof(uint), itemKey.Count);
        else
            definition.Remove(definition[ItemColumn]);
        // LoadFromEnumerable reads a key property as the key's zero-based index (key k is k - 1), and uint.MaxValue as
        // the missing key 0.
        var rows = users.Select(u => new KeyRow
        {
            // The key's number as written, nothing else: "007" is not key 7, as the other scorers (and the recommender) say.
            User = uint.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out uint key) && key >= 1 && key <= userKey.Count
                && key.ToString(CultureInfo.InvariantCulture) == u ? key - 1 : uint.MaxValue,
            Item = uint.MaxValue,
        });
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    public static List<EdgeRow> Edges(IEnumerable<RawEdge> edges) => edges.Select(e => new EdgeRow { User = e.User, Item = e.Item }).ToList();

    /// <summary>
    /// The rows <c>fit</c> and <c>sweep</c> train on: the text ids, and with <paramref name="weighted"/> (<c>--weights</c>) each
    /// edge's weight as <see cref="WeightColumn"/> (the saved model's input schema then holds it too).
    /// </summary>
    public static IDataView TrainingRows(MLContext ml, IReadOnlyList<RawEdge> edges, bool weighted) => weighted
        ? ml.Data.LoadFromEnumerable(edges.Select(e => new WeightedEdgeRow { User = e.User, Item = e.Item, Weight = e.Weight }).ToList())
        : ml.Data.LoadFromEnumerable(Edges(edges));

    /// <summary>
    /// The distinct user ids of the first column of a TSV with a header line (an edge file works), in order of appearance, and
    /// the line each blank one (whitespace only) first appears on, for <see cref="BlankUserIds.Refuse"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A line's first field is empty (a line that is empty as a whole is skipped, as the edge files skip it).</exception>
    public static List<string> Users(string path, out string header, out IReadOnlyDictionary<string, int> blankIdLines)
    {
        var blank = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = Ids(path, "user", out header, blank);
        blankIdLines = blank;
        return ids;
    }

    /// <summary>
    /// The distinct item ids of the first column of a TSV with a header line, in order of appearance (recommend's --exclude-items);
    /// a header whose first field is an item <paramref name="knowsItem"/> knows is refused (<see cref="KnownHeaderId"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The file's first line starts with an item the model knows: the file most likely has no header.</exception>
    public static List<string> Items(string path, string option, Func<string, bool>? knowsItem)
    {
        var ids = Ids(path, "item", out string header, null);
        if (KnownHeaderId(header, knowsItem) is { } first)
            throw new InvalidDataException($"{option}: the first line of '{path}' is read as its header, but it starts with '{first}', an item the model knows: "
                + "that item would not be left out of the lists. Give the file a header (add a header line such as 'item' first).");
        return ids;
    }

    /// <summary>
    /// Refuses a users file line that lists a user's items after it, space-separated (LightGCN's test.txt), under a one-word
    /// header (<see cref="Ids"/> refuses it under a header of several words): an id the model does not know whose first word is a
    /// user it knows. Served, the whole line was one unknown user, given the popular list, with at most a warning when every
    /// line was one (none when only some were).
    /// </summary>
    /// <param name="ids">The users file's ids, as read.</param>
    /// <param name="knowsUser">Whether the model knows a user id.</param>
    /// <param name="path">The users file, for the message.</param>
    /// <exception cref="InvalidDataException">A line looks like a user followed by items.</exception>
    public static void RefuseItemLists(IEnumerable<string> ids, Func<string, bool> knowsUser, string path)
    {
        foreach (string id in ids)
        {
            if (!id.Contains(' ', StringComparison.Ordinal) || knowsUser(id)) continue;
            var words = id.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !knowsUser(words[0])) continue;
            string first = words[0];
            throw new InvalidDataException($"Users file '{path}': the line '{(id.Length <= 60 ? id : id[..57] + "...")}' is not a user the model knows, but its first "
                + $"space-separated word '{first}' is: the line looks like a user followed by items (LightGCN's test.txt), which would be served as one unknown "
                + "user. The user id is the first TAB-separated field of each line; a file listing each user's items on one line must be converted first "
                + "(benchmarks/peers/prepare_datasets.py lightgcn writes edge files, whose users serve).");
        }
    }

    /// <summary>
    /// The first field of an id file's header line when it is an id the model knows (<paramref name="knows"/>), else null: such a
    /// file most likely has no header, and its first id was read as one.
    /// </summary>
    public static string? KnownHeaderId(string header, Func<string, bool>? knows)
    {
        string first = header.Split('\t')[0].Trim();
        return knows?.Invoke(first) == true ? first : null;
    }

    /// <summary>
    /// The distinct ids (of <paramref name="what"/>: "user" or "item") of the first column of a TSV with a header line;
    /// <paramref name="blankIdLines"/>, when given, gets the first line of each blank id.
    /// </summary>
    private static List<string> Ids(string path, string what, out string header, Dictionary<string, int>? blankIdLines)
    {
        string file = what == "user" ? "Users file" : "Items file";
        if (!File.Exists(path)) throw new FileNotFoundException($"{file} '{path}' does not exist.", path);
        using var reader = TextFile.OpenRead(path); // a truncated .gz throws instead of ending early
        header = TextFile.ReadLine(reader, path, 1) ?? throw new InvalidDataException($"{file} '{path}' is empty: a header line and one {what} id per line were expected.");
        // A comma-separated file would make whole lines ("5,274") into ids, each one the model does not know.
        if (header.Contains(',') && !header.Contains('\t'))
            throw new InvalidDataException($"{file} '{path}' looks comma-separated (header '{header}'): the {what} id is the first TAB-separated field of each line.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new List<string>();
        string? line;
        int number = 1;
        while ((line = TextFile.ReadLine(reader, path, number + 1)) != null)
        {
            number++;
            // Ids are read exactly as the edge files read them: " u0" is not "u0" (Run warns of ids known only trimmed).
            string id = line.Split('\t')[0];
            // A LightGCN list ('user item item ...', space-separated, no header: its first line is a list too) would make each
            // whole line a user id, unknown to the model. Under a one-word header, a line with spaces is an id that holds them.
            if (!header.Contains('\t') && header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 1
                && id.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 1 } fields)
                throw new InvalidDataException($"{file} '{path}' line {number} holds {fields.Length} space-separated fields ('{fields[0]} {fields[1]}"
                    + (fields.Length > 2 ? " ..." : "") + $"'), without a TAB, so its whole line would be read "
                    + $"as one {what} id. The {what} id is the first TAB-separated field of each line, under a header"
                    + (what == "user" ? "; a file listing each user's items on one line (LightGCN's test.txt) must be converted first "
                        + "(benchmarks/peers/prepare_datasets.py lightgcn writes edge files, whose users serve)." : "."));
            // An empty line is skipped, as the edge files skip it; an empty id before a TAB is a line that lost its id, refused
            // rather than skipped (as an edge file refuses it), so the lists written are those of every line asked for.
            if (id.Length == 0 && line.Length > 0)
                throw new InvalidDataException($"{file} '{path}', line {number}: the {what} id is empty (the line starts with a TAB): the line lost its id. "
                    + $"Give the {what}'s id first on the line, or remove the line.");
            if (id.Length == 0 || !seen.Add(id)) continue;
            ids.Add(id);
            if (blankIdLines != null && string.IsNullOrWhiteSpace(id)) blankIdLines[id] = number;
        }
        if (ids.Count == 0) throw new InvalidDataException($"{file} '{path}' has no {what} ids after its header line ('{header}'; the first line is always the header).");
        return ids;
    }

    /// <summary>
    /// The history edges whose user and item the model knows, as a graph over model rows (the exclusions of trained users);
    /// <paramref name="newUserEdges"/> counts the edges of users the model does not know naming an item it knows (their lists,
    /// where the scorer serves fresh histories, come from them), <paramref name="unknownItemEdges"/> the other edges naming an
    /// item it does not know (of known and new users alike: such an item is never recommended nor used).
    /// </summary>
    public static BipartiteGraph History(IEnumerable<RawEdge> edges, IReadOnlyDictionary<string, int> userRows, IReadOnlyDictionary<string, int> itemRows,
        out int newUserEdges, out int unknownItemEdges)
    {
        var users = new List<int>();
        var items = new List<int>();
        (newUserEdges, unknownItemEdges) = (0, 0);
        foreach (var edge in edges)
        {
            if (!itemRows.TryGetValue(edge.Item, out int i)) unknownItemEdges++;
            else if (!userRows.TryGetValue(edge.User, out int u)) newUserEdges++;
            else
            {
                users.Add(u);
                items.Add(i);
            }
        }
        // Over the row range, not the ids' count: a key type wider than the users or items with edges leaves rows without an id
        // here, so a row can lie beyond the count (the last of 20 user keys, 16 with edges, is row 19).
        return BipartiteGraph.FromEdges(RowRange(userRows), RowRange(itemRows), users.ToArray(), items.ToArray());
    }

    /// <summary>One more than the largest row of <paramref name="rows"/>, 0 for none: the rows a graph over them must hold.</summary>
    private static int RowRange(IReadOnlyDictionary<string, int> rows) => rows.Count == 0 ? 0 : rows.Values.Max() + 1;

    /// <summary>
    /// The history of each of <paramref name="users"/> (ids the model does not know) as the model's item rows, sorted and distinct;
    /// items the model does not know are left out, and so is a user left with none.
    /// </summary>
    public static Dictionary<string, int[]> NewUserHistories(IEnumerable<RawEdge> edges, IEnumerable<string> users, IReadOnlyDictionary<string, int> itemRows)
    {
        var wanted = new HashSet<string>(users, StringComparer.Ordinal);
        var items = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            if (!wanted.Contains(edge.User) || !itemRows.TryGetValue(edge.Item, out int i)) continue;
            if (!items.TryGetValue(edge.User, out var set)) items[edge.User] = set = [];
            set.Add(i);
        }
        return items.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The edges of both graphs (same users and items), duplicates removed.</summary>
    public static BipartiteGraph Union(BipartiteGraph a, BipartiteGraph b)
    {
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < a.UserCount; u++)
        {
            var set = new SortedSet<int>(a.ItemsOf(u).ToArray());
            if (u < b.UserCount) set.UnionWith(b.ItemsOf(u).ToArray());
            foreach (int i in set)
            {
                users.Add(u);
                items.Add(i);
            }
        }
        return BipartiteGraph.FromEdges(a.UserCount, a.ItemCount, users.ToArray(), items.ToArray());
    }

    /// <summary>The topics each user follows, from a <c>user&lt;TAB&gt;topic</c> file with a header (one line per topic).</summary>
    public static FollowedTopics Follows(string path)
    {
        using var reader = Microsoft.ML.MultiInterest.IO.TextFile.OpenRead(path);
        string? header = TextFile.ReadLine(reader, path, 1)?.TrimEnd('\r');
        if (header == null || header.Split('\t') is not ["user", "topic", ..])
            throw new InvalidDataException($"{path}: the header must be 'user<TAB>topic', not '{header}'.");
        var rows = new List<(string User, string Topic, int Line)>();
        int lineNumber = 1;
        for (string? line = TextFile.ReadLine(reader, path, 2); line != null; line = TextFile.ReadLine(reader, path, lineNumber + 1))
        {
            lineNumber++;
            line = line.TrimEnd('\r');
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InvalidDataException($"{path}, line {lineNumber}: expected 'user<TAB>topic' but found '{line}'.");
            rows.Add((parts[0], parts[1], lineNumber));
        }
        return new FollowedTopics(rows);
    }

    /// <summary>Refuses a <c>--follows</c> file naming a topic the model does not have, with its line (before anything is served).</summary>
    public static void CheckTopics(FollowedTopics topics, IReadOnlyList<string> modelTopics, string path)
    {
        var known = modelTopics.ToHashSet(StringComparer.Ordinal);
        foreach (var (user, topic, line) in topics.Rows)
            if (!known.Contains(topic))
                throw new InvalidDataException($"{path}, line {line}: topic '{topic}' (user '{user}') is not one of the model's {known.Count:N0} topics.");
    }

    /// <summary>The rows of a <c>--follows</c> file, and each user's topics.</summary>
    internal sealed class FollowedTopics(List<(string User, string Topic, int Line)> rows)
    {
        private readonly ILookup<string, string> _byUser = rows.ToLookup(r => r.User, r => r.Topic, StringComparer.Ordinal);

        public IReadOnlyList<(string User, string Topic, int Line)> Rows => rows;

        public string[] Of(string user) => _byUser[user].ToArray();
    }

    /// <summary>The row of each id (of the rows <paramref name="listed"/> accepts, every row when null).</summary>
    public static Dictionary<string, int> RowsOf(IReadOnlyList<string> ids, Func<int, bool>? listed = null)
    {
        var rows = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (int r = 0; r < ids.Count; r++)
            if (listed == null || listed(r)) rows[ids[r]] = r;
        return rows;
    }
}
