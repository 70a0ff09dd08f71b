using Microsoft.Data.Analysis;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.IO;
using Frames = Microsoft.ML.MultiInterest.MultiInterestColumnNames.Frames;

namespace Microsoft.ML.MultiInterest;

public sealed partial class MultiInterestCatalog
{
    /// <summary>
    /// Edges from a DataFrame, as a view with text <see cref="MultiInterestColumnNames.User"/> and
    /// <see cref="MultiInterestColumnNames.Item"/> columns, ready for <c>MapValueToKey</c> or <see cref="Sweep"/>, plus, for each
    /// optional column named: a Single <see cref="MultiInterestColumnNames.Weight"/>, a text
    /// <see cref="MultiInterestColumnNames.Relation"/> (the edge type) and a Double <see cref="MultiInterestColumnNames.Timestamp"/>
    /// (Unix seconds: numbers of any numeric type are taken as they are, text as a number or an ISO 8601 date such as
    /// 2024-01-31 or 2024-01-31T10:30:00+01:00, read as UTC without an offset; a value that is not finite is refused, and so
    /// is a Single time past 2^24 s, which a Single cannot hold to the second: load such a column as Int64 or Double).
    /// </summary>
    /// <param name="frame">One row per edge; id columns may be text or integers (a floating-point id column is refused: its values are not the ids written).</param>
    /// <param name="userColumnName">The frame's user id column; null (the default) for <see cref="MultiInterestColumnNames.User"/>, or the one column named so in another case ("user").</param>
    /// <param name="itemColumnName">The frame's item id column; null (the default) for <see cref="MultiInterestColumnNames.Item"/>, or the one column named so in another case ("item").</param>
    /// <param name="weightColumnName">The frame's numeric weight column, or null for none.</param>
    /// <param name="relationColumnName">The frame's relation (edge type) column, any id type, or null for none.</param>
    /// <param name="timestampColumnName">The frame's time column, or null for none.</param>
    /// <exception cref="ArgumentException">A named column is missing, has a type that cannot be read or holds a null (or an empty id), a time is not
    /// finite or is a Single past 2^24 s, or there is no edge.</exception>
    /// <exception cref="FormatException">A text timestamp is neither a number nor an ISO 8601 date, or is not finite (the message names the row, from 0).</exception>
    /// <returns>A view with one row per edge of <paramref name="frame"/>, in its order.</returns>
    public IDataView LoadEdges(DataFrame frame, string? userColumnName = null, string? itemColumnName = null,
        string? weightColumnName = null, string? relationColumnName = null, string? timestampColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        try
        {
            return LoadFrame(frame, DefaultIdColumn(frame, userColumnName, MultiInterestColumnNames.User),
                DefaultIdColumn(frame, itemColumnName, MultiInterestColumnNames.Item), weightColumnName, relationColumnName, timestampColumnName);
        }
        catch (EdgeFrameRowException e)
        {
            throw new ArgumentException(e.Reason, e.ParamName, e);
        }
        catch (EdgeTimeException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>
    /// The id column a caller named, or for none (null) <paramref name="standard"/>, or else the one column whose name is
    /// <paramref name="standard"/> in another case: the library's own files are headed "user", "item". A name the caller
    /// gave is matched exactly, and a missing one is named in the error, with any near miss.
    /// </summary>
    private static string DefaultIdColumn(DataFrame frame, string? given, string standard)
    {
        if (given != null) return given;
        var names = frame.Columns.Select(c => c.Name).ToList();
        if (names.Contains(standard, StringComparer.Ordinal)) return standard;
        var matches = names.Where(n => string.Equals(n, standard, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1 ? matches[0] : standard;
    }

    /// <summary>
    /// Refuses a file whose header lacks an id column because it was read with another separator than its own (a TSV read as
    /// CSV, or the other way round: one column named by the whole header line) or has no header line (every name a number),
    /// saying which and what to pass; any other missing column is left to the schema check, which lists the columns.
    /// </summary>
    private static void RefuseMisreadHeader(DataFrame frame, string path, char separator, bool separatorGiven, params (string Column, string Option)[] ids)
    {
        var names = frame.Columns.Select(c => c.Name).ToList();
        var (missing, option) = ids.FirstOrDefault(id => !names.Contains(id.Column, StringComparer.Ordinal));
        if (missing == null) return;
        static string Name(char c) => c switch { '\t' => "tab", ',' => "comma", ';' => "semicolon", '|' => "pipe", ' ' => "space", _ => $"'{c}'" };
        static string Literal(char c) => c == '\t' ? "'\\t'" : $"'{c}'";
        static bool AllNumbers(IEnumerable<string> fields) =>
            fields.All(f => double.TryParse(f, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
        string shown = string.Join(Name(separator) == "tab" ? "<TAB>" : separator.ToString(), names).Replace("\t", "<TAB>", StringComparison.Ordinal);
        string how = separatorGiven ? $"with separator {Literal(separator)}" : $"{Name(separator)}-separated, as its extension says";
        string? hint = null;
        if (names.Count == 1)
        {
            foreach (char other in new[] { '\t', ',', ';', '|', ' ' })
            {
                if (other == separator || !names[0].Contains(other)) continue;
                var fields = names[0].Split(other, StringSplitOptions.RemoveEmptyEntries);
                hint = $"its first line '{shown}' looks {Name(other)}-separated, and the file was read {how}: pass separator: {Literal(other)}"
                    + (AllNumbers(fields) ? $", and add a header line naming the columns first (e.g. 'User{(other == '\t' ? "<TAB>" : other.ToString())}Item'): that line looks like data" : "");
                break;
            }
        }
        if (hint == null && AllNumbers(names))
            hint = $"its first line '{shown}' looks like data, not a header: add a header line naming the columns first (e.g. 'User{(separator == '\t' ? "<TAB>" : separator.ToString())}Item'; "
                + "userColumnName and itemColumnName name others), which LoadEdges requires so that no edge is read as one";
        if (hint == null) return;
        throw new ArgumentException($"Input column '{missing}' (option {option}) was not found in edge file '{path}': {hint}.", option);
    }

    /// <summary><see cref="LoadEdges(DataFrame, string?, string?, string?, string?, string?)"/>, a row without an id or weight said by an <see cref="EdgeFrameRowException"/>.</summary>
    private IDataView LoadFrame(DataFrame frame, string userColumnName, string itemColumnName, string? weightColumnName, string? relationColumnName, string? timestampColumnName)
    {
        ArgumentNullException.ThrowIfNull(frame);
        FrameNulls.Refuse(frame, userColumnName, nameof(userColumnName), "a user id");
        FrameNulls.Refuse(frame, itemColumnName, nameof(itemColumnName), "an item id");
        FrameNulls.Refuse(frame, weightColumnName, nameof(weightColumnName), "a weight");
        FrameNulls.Refuse(frame, relationColumnName, nameof(relationColumnName), "a relation");
        FrameNulls.Refuse(frame, timestampColumnName, nameof(timestampColumnName), "a time");
        foreach (var (column, option) in new[] { (userColumnName, nameof(userColumnName)), (itemColumnName, nameof(itemColumnName)),
            (weightColumnName, nameof(weightColumnName)), (relationColumnName, nameof(relationColumnName)), (timestampColumnName, nameof(timestampColumnName)) })
            RefuseCharacters(frame, column, option);
        RefuseFloatingIds(frame, userColumnName, nameof(userColumnName));
        RefuseFloatingIds(frame, itemColumnName, nameof(itemColumnName));
        RefuseFloatingIds(frame, relationColumnName, nameof(relationColumnName));
        var edges = RawEdgeReader.ReadWithExtras(frame, userColumnName, itemColumnName, weightColumnName, relationColumnName, timestampColumnName);
        WarnOfPaddedIds(edges);
        var schema = SchemaDefinition.Create(typeof(EdgeFrameRow));
        // Only the columns asked for: the row type has them all.
        if (weightColumnName == null) schema.Remove(schema[nameof(EdgeFrameRow.Weight)]);
        if (relationColumnName == null) schema.Remove(schema[nameof(EdgeFrameRow.Relation)]);
        if (timestampColumnName == null) schema.Remove(schema[nameof(EdgeFrameRow.Timestamp)]);
        return Context.Data.LoadFromEnumerable(
            edges.Select(e => new EdgeFrameRow { User = e.User, Item = e.Item, Weight = e.Weight, Relation = e.Relation, Timestamp = e.Timestamp }), schema);
    }

    /// <summary>
    /// Refuses a floating-point id column: its values are not the ids that were written (DataFrame.LoadCsv guesses Single
    /// for numeric ids, turning 007 into 7 and 16777217 into 16777216), so distinct ids would merge without a word.
    /// </summary>
    private static void RefuseFloatingIds(DataFrame frame, string? column, string option)
    {
        if (column == null || frame.Columns.IndexOf(column) is not (var index and >= 0)) return;
        var type = frame.Columns[index].DataType;
        if (type != typeof(float) && type != typeof(double) && type != typeof(decimal)) return;
        throw new ArgumentException($"{option}: the id column '{column}' is {type.Name}, which cannot hold ids exactly (DataFrame.LoadCsv guesses Single for numeric ids, "
            + "turning 007 into 7 and 16777217 into 16777216, so distinct ids would merge). Load the ids as text (LoadCsv's dataTypes) or an integer type, "
            + "or read the file with LoadEdges(path), which keeps every field as written.", option);
    }

    /// <summary>A Char column reaches ML.NET as UInt16 character codes: 'a' would be read as the id, weight or time 97.</summary>
    private static void RefuseCharacters(DataFrame frame, string? column, string option)
    {
        if (column == null || frame.Columns.IndexOf(column) is not (var index and >= 0) || frame.Columns[index].DataType != typeof(char)) return;
        throw new ArgumentException($"{option}: the column '{column}' is Char, which ML.NET reads as character codes ('a' as 97). "
            + "Convert it to a string column first.", option);
    }

    /// <summary>Says, once, that ids with white space around them are kept so: " 7" and "7" are two ids, as the CLI says of its files.</summary>
    private void WarnOfPaddedIds(List<FrameEdge> edges)
    {
        int padded = 0;
        string? first = null;
        foreach (var e in edges)
        {
            string? id = IO.NewId.Padded(e.User) ? e.User : IO.NewId.Padded(e.Item) ? e.Item : null;
            if (id == null) continue;
            padded++;
            first ??= id;
        }
        if (first != null)
            Logging.Warning(Context, nameof(LoadEdges), $"{padded.ToString(System.Globalization.CultureInfo.InvariantCulture)} edge(s) have a user or item id with white space "
                + $"around it (the first: '{first}'): ids are read exactly as written, so '{first}' and '{first.Trim()}' are two ids. Trim them first if they name one.");
    }

    /// <summary>
    /// Edges from a CSV or TSV file with a header line (the separator follows the extension: .tsv/.txt tab, else comma,
    /// unless given); ids, relations and text times are read as text, exactly as written (nothing trimmed; a tab-separated
    /// field is taken whole, quotes included, unless the header is quoted; another separator's fields may be quoted as RFC 4180 says), so string and
    /// integer ids both work. The file must be UTF-8 (a byte-order mark is allowed). A name ending
    /// in .gz is decompressed as it is read and checked against its gzip trailer; the
    /// separator then follows the name under it (<c>edges.tsv.gz</c> is tab-separated).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty, a .gz is truncated or corrupt, a line cannot be parsed, or a line lacks an id, a weight or a relation, or holds a time that is neither a finite number nor an ISO 8601 date (the message names the file and the line).</exception>
    /// <param name="userColumnName">The header name of the user id column; null (the default) for <see cref="MultiInterestColumnNames.User"/>, or the one header name that is "user" in another case.</param>
    /// <param name="itemColumnName">The header name of the item id column; null (the default) for <see cref="MultiInterestColumnNames.Item"/>, or the one header name that is "item" in another case.</param>
    /// <param name="weightColumnName">The header name of a numeric weight column, or null for none.</param>
    /// <param name="separator">The field separator, or null to choose by extension.</param>
    /// <param name="relationColumnName">The header name of a relation (edge type) column, or null for none.</param>
    /// <param name="timestampColumnName">The header name of a time column (a number or an ISO 8601 date, read as Unix seconds), or null for none.</param>
    /// <returns>A view with one row per edge line of the file, in file order.</returns>
    public IDataView LoadEdges(string path, string? userColumnName = null, string? itemColumnName = null,
        string? weightColumnName = null, char? separator = null, string? relationColumnName = null, string? timestampColumnName = null)
    {
        var frame = EdgeFrames.ReadText(path, separator, weightColumnName, out int[] lines);
        string user = DefaultIdColumn(frame, userColumnName, MultiInterestColumnNames.User);
        string item = DefaultIdColumn(frame, itemColumnName, MultiInterestColumnNames.Item);
        RefuseMisreadHeader(frame, path, EdgeFrames.SeparatorFor(path, separator), separator != null, (user, nameof(userColumnName)), (item, nameof(itemColumnName)));
        try
        {
            return LoadFrame(frame, user, item, weightColumnName, relationColumnName, timestampColumnName);
        }
        catch (EdgeFrameRowException e)
        {
            throw new InvalidDataException($"Edge file '{path}', line {lines[e.Row]}: the '{e.Column}' field is empty, "
                + $"and every edge needs {e.Role}. Remove or fill such lines first.", e);
        }
        catch (EdgeTimeException e)
        {
            throw new InvalidDataException($"Edge file '{path}', line {lines[e.Row]}: the '{e.Column}' field "
                + $"holds '{e.Text}', {e.Problem}.", e);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Edge file '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Any view as a DataFrame: key columns (scalar or vector) become their values (the KeyValues annotation; keys
    /// without one become their UInt32 numbers, 0 = missing), which ML.NET's own <c>ToDataFrame()</c> rejects.
    /// </summary>
    /// <param name="data">A view, e.g. a pipeline's output.</param>
    /// <param name="maxRows">Rows to read at most; -1 for all.</param>
    /// <returns>A new DataFrame with the view's columns, keys as their values.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRows"/> is below -1.</exception>
    public DataFrame ToDataFrame(IDataView data, long maxRows = -1)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (maxRows < -1) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must be -1 (all rows) or a count of rows, 0 or more.");
        return EdgeFrames.WithoutKeys(Context, data).ToDataFrame(maxRows);
    }

    /// <summary>
    /// Candidate lists in long format: one row per (user, rank) with columns User, Rank (from 1), Item and Score,
    /// users in order of first appearance (the first row of each user is read; later rows must repeat it), padding skipped, ids mapped back. A
    /// user the key mapping never saw (key 0: served from a History column, or the popular list) is listed under the raw id
    /// MapValueToKey left in the view (an empty id when the view no longer holds it, each such row then its own user).
    /// </summary>
    /// <param name="scored">A retriever's output.</param>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="candidatesColumnName">The candidate keys column.</param>
    /// <param name="scoresColumnName">The candidate scores column.</param>
    /// <returns>A new DataFrame with columns User, Rank, Item and Score.</returns>
    public DataFrame CandidatesToDataFrame(IDataView scored, string userColumnName = MultiInterestColumnNames.User,
        string candidatesColumnName = MultiInterestColumnNames.Candidates, string scoresColumnName = MultiInterestColumnNames.CandidateScores)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var users = new StringDataFrameColumn(MultiInterestColumnNames.User);
        var ranks = new Int32DataFrameColumn(Frames.Rank);
        var items = new StringDataFrameColumn(MultiInterestColumnNames.Item);
        var scores = new SingleDataFrameColumn(Frames.Score);
        EdgeFrames.FirstRowPerUser<uint, float>(scored, userColumnName, (candidatesColumnName, nameof(candidatesColumnName)), (scoresColumnName, nameof(scoresColumnName)), (user, keys, values, names) =>
        {
            for (int r = 0; r < keys.Length; r++)
            {
                if (keys[r] == 0) continue;
                users.Append(user);
                ranks.Append(r + 1);
                items.Append(names[(int)keys[r] - 1]);
                scores.Append(values[r]);
            }
        }, nameof(scored), CandidateListReader.PerRowListHint);
        return new DataFrame(users, ranks, items, scores);
    }

    /// <summary>
    /// <see cref="CandidatesToDataFrame(IDataView, string, string, string)"/> with a fifth column, Component: the interest of the
    /// user that placed each candidate, as <paramref name="stage"/>'s <see cref="CandidateRetrievalTransformer.GetCandidateComponents"/>
    /// tells it (an index into <see cref="CandidateRetrievalTransformer.GetCandidateInterests"/>; -1 for the unimodal head or fill of
    /// cluster quotas, an item of no interest, or a popular list). Each user's list in <paramref name="scored"/> must be the one
    /// <paramref name="stage"/> keeps for the user (the lists its Transform gives without a fresh History column, the popular list
    /// for a user it does not know): a list served from a fresh history is explained by
    /// <see cref="MultiInterestRecommender.Explain(string, IEnumerable{string}, int, IEnumerable{string})"/> with that history.
    /// </summary>
    /// <param name="scored">A view with <paramref name="stage"/>'s candidates, e.g. the fitted pipeline's output.</param>
    /// <param name="stage">The fitted retrieval stage that wrote the lists (cluster quotas, multi-interest or history-interest MMR, round robin).</param>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="candidatesColumnName">The candidate keys column; null for the stage's own (<c>CandidatesColumnName</c>).</param>
    /// <param name="scoresColumnName">The candidate scores column; null for the stage's own (<c>CandidateScoresColumnName</c>).</param>
    /// <exception cref="InvalidOperationException">The stage names no interests (unimodal, plain MMR, conditional; the message names the method).</exception>
    /// <exception cref="ArgumentException">A column is missing, or a user's list is not the one the stage keeps for it (the message names the user).</exception>
    /// <returns>A new DataFrame with columns User, Rank, Item, Score and Component.</returns>
    public DataFrame CandidatesToDataFrame(IDataView scored, CandidateRetrievalTransformer stage, string userColumnName = MultiInterestColumnNames.User,
        string? candidatesColumnName = null, string? scoresColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(stage);
        var columns = stage.Columns;
        var live = columns.Live;
        if (!live.ExplainableMethod) throw new InvalidOperationException(live.NotExplainable(nameof(CandidatesToDataFrame)));
        candidatesColumnName ??= columns.CandidatesColumn;
        scoresColumnName ??= columns.ScoresColumn;
        var tables = live.Tables;
        var users = new StringDataFrameColumn(MultiInterestColumnNames.User);
        var ranks = new Int32DataFrameColumn(Frames.Rank);
        var items = new StringDataFrameColumn(MultiInterestColumnNames.Item);
        var scores = new SingleDataFrameColumn(Frames.Score);
        var components = new Int32DataFrameColumn(Frames.Component);
        EdgeFrames.FirstRowPerUser<uint, float>(scored, userColumnName, (candidatesColumnName, nameof(candidatesColumnName)), (scoresColumnName, nameof(scoresColumnName)), (user, keys, values, names) =>
        {
            int row = user.Length == 0 ? -1 : tables.UserNames.IndexOf(user);
            var kept = columns.ListOf(row, []);
            var shown = keys.Where(k => k != 0).Select(k => names[(int)k - 1]).ToArray();
            if (!shown.SequenceEqual(kept.Items.Select(j => tables.ItemNames[tables.ItemRowOf[j]])))
                throw new ArgumentException($"User '{user}': the list in '{candidatesColumnName}' is not the one the stage keeps for the user ({kept.Source}, "
                    + "without a fresh history), so its components cannot be told from the stage. A list served from a History column is explained by "
                    + "MultiInterestRecommender.Explain(user, history); a list of another stage by that stage.", nameof(scored));
            var placed = live.Explain(row, [], tables.ListLength, known: kept).Components;
            for (int r = 0, p = 0; r < keys.Length; r++)
            {
                if (keys[r] == 0) continue;
                users.Append(user);
                ranks.Append(r + 1);
                items.Append(names[(int)keys[r] - 1]);
                scores.Append(values[r]);
                components.Append(placed[p++]);
            }
        }, nameof(scored), CandidateListReader.PerRowListHint);
        return new DataFrame(users, ranks, items, scores, components);
    }

    /// <summary>
    /// Mixtures in long format: one row per (user, component) with columns User, Component (from 0, by descending
    /// weight), Cluster (the cluster key's value: "1".."k", so cluster index + 1 of <see cref="SphericalKMeansTransformer.ClusterOfItem"/>,
    /// <see cref="KnnSmoothedMixtureTransformer.Mixtures"/> and <see cref="UserInterest.Cluster"/>, which count from 0) and Weight; padding components skipped.
    /// </summary>
    /// <param name="data">A view with the mixture columns (the output of <see cref="KnnSmoothedMixture(KnnSmoothedMixtureEstimator.Options)"/>).</param>
    /// <param name="userColumnName">The user key column.</param>
    /// <param name="clustersColumnName">The component clusters column.</param>
    /// <param name="weightsColumnName">The component weights column.</param>
    /// <returns>A new DataFrame with columns User, Component, Cluster and Weight.</returns>
    public DataFrame MixturesToDataFrame(IDataView data, string userColumnName = MultiInterestColumnNames.User,
        string clustersColumnName = MultiInterestColumnNames.MixtureClusters, string weightsColumnName = MultiInterestColumnNames.MixtureWeights)
    {
        ArgumentNullException.ThrowIfNull(data);
        var users = new StringDataFrameColumn(MultiInterestColumnNames.User);
        var components = new Int32DataFrameColumn(Frames.Component);
        var clusters = new StringDataFrameColumn(Frames.Cluster);
        var weights = new DoubleDataFrameColumn(Frames.Weight);
        EdgeFrames.FirstRowPerUser<uint, double>(data, userColumnName, (clustersColumnName, nameof(clustersColumnName)), (weightsColumnName, nameof(weightsColumnName)), (user, keys, values, names) =>
        {
            for (int c = 0; c < keys.Length; c++)
            {
                if (keys[c] == 0) continue;
                users.Append(user);
                components.Append(c);
                clusters.Append(names[(int)keys[c] - 1]);
                weights.Append(values[c]);
            }
        }, nameof(data));
        return new DataFrame(users, components, clusters, weights);
    }

    /// <summary>Metrics in long format: columns Metric (Recall, Ndcg, Diversity, Emd), K (0 for the EMD) and Value.</summary>
    /// <param name="metrics">The evaluator's result.</param>
    /// <returns>A new DataFrame with columns Metric, K and Value.</returns>
    public DataFrame MetricsToDataFrame(MultiInterestMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var names = new StringDataFrameColumn(Frames.Metric);
        var ks = new Int32DataFrameColumn(Frames.K);
        var values = new DoubleDataFrameColumn(Frames.Value);
        foreach (var (name, byK) in new[] { ("Recall", metrics.RecallAtK), ("Ndcg", metrics.NdcgAtK), ("Diversity", metrics.DiversityAtK) })
        {
            foreach (var (k, v) in byK.OrderBy(p => p.Key))
            {
                names.Append(name);
                ks.Append(k);
                values.Append(v);
            }
        }
        if (metrics.Emd is double emd)
        {
            names.Append("Emd");
            ks.Append(0);
            values.Append(emd);
        }
        return new DataFrame(names, ks, values);
    }

    /// <summary>The row of <see cref="LoadEdges(DataFrame, string?, string?, string?, string?, string?)"/>; the optional columns are dropped from its schema unless asked for.</summary>
    private sealed class EdgeFrameRow
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public float Weight { get; set; }

        public string Relation { get; set; } = "";

        public double Timestamp { get; set; }
    }
}
