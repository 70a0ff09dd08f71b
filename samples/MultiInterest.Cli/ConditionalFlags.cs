using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The conditional-retrieval rows of <c>reproduce</c> and <c>evaluate</c> (<c>--conditional</c>; Pinterest's conditional
/// retrieval, docs/concepts.md): a query per condition of the user, <c>(u + β_c h_u^c) ⊙ (1 + t_c)</c>, searched inside the
/// condition's items. Conditions are an item table (<c>--conditions FILE</c>: <c>item&lt;TAB&gt;condition</c>, e.g. a tag)
/// or, without one, the item clusters (the tuned row's when it runs). Rows: <c>conditional</c> (conditions alone) and <c>conditional_knn</c> (merged with the
/// kNN-Embed components, the tuned row's when it runs, under one quota policy). Settings given as comma lists make one
/// row per combination (for choosing them on a validation hold-out).
/// </summary>
internal static class ConditionalFlags
{
    /// <summary>Name of the conditions-only row.</summary>
    public const string RowName = "conditional";

    /// <summary>Name of the row merged with kNN-Embed.</summary>
    public const string MergedRowName = "conditional_knn";

    /// <summary>The parsed flags.</summary>
    internal sealed record Settings(string? ConditionsPath, int Epochs, float LearningRate, int[] Hard, int Global, float[] Tau, float L2, int[] Max, double[] Alpha, double[] Share, double[] Head, int Seed);

    /// <summary>
    /// The conditional rows' options, declared once; <paramref name="stage"/> declares them for <c>fit --retriever conditional</c>,
    /// whose stage needs a conditions file and serves the conditions alone unless told to merge.
    /// </summary>
    internal sealed class Flags(bool stage = false)
    {
        public Option<bool> On { get; } = Opt.Flag("--conditional",
            "Add the rows \"conditional\" and \"conditional_knn\": a user query per condition, searched inside the condition's items (comma lists below give one row per combination).");

        public CliOption<string?> Conditions { get; } = Opt.InputFile("--conditions", stage
            ? "Conditions: item<TAB>condition with a header (required with --retriever conditional)."
            : "Conditions: item<TAB>condition with a header (default: the item clusters, the tuned row's if it runs).");

        public CliOption<int> Epochs { get; } = Opt.Int("--cond-epochs", ConditionalDefaults.Epochs, "Conditional: training epochs.", min: 1);

        public CliOption<double> LearningRate { get; } = Opt.Double("--cond-lr", ConditionalDefaults.LearningRate, "Conditional: learning rate.", min: 0);

        public CliOption<int[]> Hard { get; } = IntList("--cond-hard", ConditionalDefaults.HardNegatives, "Conditional: negatives from the target's own condition.");

        public CliOption<int> Global { get; } = Opt.Int("--cond-global", ConditionalDefaults.GlobalNegatives, "Conditional: negatives from the whole catalogue.", min: 0);

        public CliOption<double[]> Tau { get; } = NumberList("--cond-tau", ConditionalDefaults.Temperature, "Conditional: softmax temperature.");

        public CliOption<double> L2 { get; } = Opt.Double("--cond-l2", ConditionalDefaults.L2, "Conditional: L2 penalty of the condition parameters.", min: 0);

        public CliOption<int[]> Max { get; } = IntList("--cond-max", ConditionalDefaults.MaxConditions, "Conditional: most conditions per user.");

        public CliOption<double[]> Alpha { get; } = NumberList("--cond-alpha", ConditionalDefaults.Alpha, "Conditional: quota exponent alpha.");

        public CliOption<double[]> Share { get; } = stage
            ? Opt.NumberList("--cond-implicit-share", [ConditionalDefaults.StageImplicitShare],
                "Conditional: share of the weight given to the implicit (kNN-Embed) components; 0 = the conditions alone, above 0 merged with the kNN-Embed mixture. A comma list gives one row per value.")
            : NumberList("--cond-implicit-share", ConditionalDefaults.ImplicitShare, "Conditional: share of the weight given to the implicit (kNN-Embed) components.");

        public CliOption<double[]> Head { get; } = NumberList("--cond-head", ClusterQuotaRetrieverDefaults.HeadShare, "Conditional: the unimodal head's share of each list.");

        /// <summary>Every option of the group.</summary>
        public IReadOnlyList<Option> All => [On, .. Stage];

        /// <summary>The settings <c>fit --retriever conditional</c> reads too (not --conditional).</summary>
        public IReadOnlyList<Option> Stage => [Conditions, Epochs, LearningRate, Hard, Global, Tau, L2, Max, Alpha, Share, Head];

        /// <summary>
        /// The <c>ConditionalRetriever</c> stage of <c>fit --retriever conditional</c>: one value per setting (a list is a
        /// usage error), the conditions file required; <paramref name="implicitQuery"/> and <paramref name="beta"/> (fit's
        /// <c>--query</c>, <c>--beta</c>) search the implicit components' clusters when the stage merges them.
        /// </summary>
        public (ConditionalRetrieverEstimator.Options Options, string ConditionsPath) ReadStage(ParseResult r, int candidates, int seed, int threads,
            QuotaQuery implicitQuery, double beta)
        {
            string path = r.Value(Conditions) ?? throw new UsageException("--retriever conditional needs --conditions FILE (item<TAB>condition with a header).");
            T One<T>(CliOption<T[]> option) => r.Value(option) is [var single] ? single
                : throw new UsageException($"{option.Name} takes one value with --retriever conditional (a comma list makes one evaluate row per value).");
            var options = new ConditionalRetrieverEstimator.Options
            {
                Candidates = candidates, MaxConditions = One(Max), Alpha = One(Alpha), HeadShare = One(Head), Epochs = r.Value(Epochs),
                LearningRate = (float)r.Value(LearningRate), HardNegatives = One(Hard), GlobalNegatives = r.Value(Global), Temperature = (float)One(Tau),
                L2 = (float)r.Value(L2), Seed = seed, Threads = threads,
                ImplicitShare = One(Share),
                ImplicitQuery = implicitQuery,
                Beta = beta,
            };
            if (options.ImplicitShare == 0 && (implicitQuery != ClusterQuotaRetrieverDefaults.Query || beta != ClusterQuotaRetrieverDefaults.Beta))
                throw new UsageException("--query and --beta set the query of the kNN-Embed components a conditional stage merges: add --cond-implicit-share above 0, or leave them out.");
            try
            {
                _ = new MLContext().MultiInterest().ConditionalRetriever(options);
            }
            catch (ArgumentException e)
            {
                throw OptionErrors.Usage("Conditional", e, r);
            }
            return (options, path);
        }

        /// <summary>Reads the flags; null unless --conditional is given (the other --cond-* options are still checked).</summary>
        public Settings? Read(ParseResult r, int seed)
        {
            var s = new Settings(r.Value(Conditions), r.Value(Epochs), (float)r.Value(LearningRate), r.Value(Hard), r.Value(Global),
                r.Value(Tau).Select(x => (float)x).ToArray(), (float)r.Value(L2), r.Value(Max), r.Value(Alpha), r.Value(Share), r.Value(Head), seed);
            try
            {
                foreach (var o in TrainingGrid(s)) o.Options.Validate();
                foreach (var g in RetrievalGrid(s)) g.Options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw OptionErrors.Usage("Conditional", e, r);
            }
            if (s.Max.Any(m => m < 1)) throw new UsageException("--cond-max must be at least 1.");
            return r.GetValue(On) ? s : null;
        }

        // One value is the default; a comma list gives one row per value.
        private static CliOption<int[]> IntList(string name, int fallback, string description) =>
            Opt.IntList(name, [fallback], description + " A comma list gives one row per value.");

        private static CliOption<double[]> NumberList(string name, double fallback, string description) =>
            Opt.NumberList(name, [fallback], description + " A comma list gives one row per value.");
    }

    /// <summary>
    /// Trains the conditional model(s) and appends their rows to <paramref name="result"/>; <paramref name="fromFile"/> is
    /// the conditions file's (<see cref="ReadConditions"/>, read before anything is fitted), null for the item clusters.
    /// </summary>
    public static ProtocolResult AddRows(Settings s, ItemConditions? fromFile, ProtocolResult result, BipartiteGraph train, BipartiteGraph test, IdMap items, EmbeddingMatrix users,
        EmbeddingMatrix itemEmbeddings, ItemClustering clustering, ItemClustering? tunedClustering, ProtocolSettings protocol, HeldOutMisses? misses, TextWriter log)
    {
        bool tuned = result.Methods.Any(m => m.Name == "knn_embed_tuned");
        // Without a table the conditions are the item clusters: the tuned row's (coarser) ones when it runs.
        var conditions = fromFile ?? ItemConditions.FromClustering(tuned ? tunedClustering ?? clustering : clustering);
        var implicitMixtures = result[tuned ? "knn_embed_tuned" : "knn_embed"].Mixtures!;
        var implicitClustering = tuned ? tunedClustering ?? clustering : clustering;
        var query = protocol.MultiInterest?.Retrieval.Query ?? ClusterQuotaRetrieverDefaults.Query;
        double beta = protocol.MultiInterest?.Retrieval.Beta ?? ClusterQuotaRetrieverDefaults.Beta;
        var cutoffs = protocol.Cutoffs.Distinct().Order().ToArray();
        var trainingGrid = TrainingGrid(s).ToArray();
        var retrievalGrid = RetrievalGrid(s).ToArray();
        bool named = trainingGrid.Length * retrievalGrid.Length > 1;
        var rows = new List<MethodEvaluation>();
        foreach (var (trainingLabel, options) in trainingGrid)
        {
            log.WriteLine($"Training the conditional model ({conditions.Count:N0} conditions{(s.ConditionsPath == null ? ", the item clusters" : "")}): {trainingLabel}...");
            var model = ConditionalModel.Fit(train, users, itemEmbeddings, conditions, options);
            log.WriteLine($"  loss per epoch: {string.Join(" ", model.Stats.Select(e => e.MeanLoss.ToString("F4", CultureInfo.InvariantCulture)))}; {model.Stats.Sum(e => e.Seconds):F1} s");
            foreach (var (retrievalLabel, max, retrieval) in retrievalGrid)
            {
                string suffix = named ? $"[{trainingLabel} {retrievalLabel}]" : "";
                var conditionsOnly = retrieval.Clone();
                conditionsOnly.ImplicitShare = 0;
                rows.Add(ConditionalEvaluator.Evaluate(RowName + suffix, train, test, users, itemEmbeddings, model, max, conditionsOnly, cutoffs, protocol.Threads, null, null, misses));
                retrieval.ImplicitQuery = query;
                retrieval.Beta = beta;
                rows.Add(ConditionalEvaluator.Evaluate(MergedRowName + suffix, train, test, users, itemEmbeddings, model, max, retrieval, cutoffs, protocol.Threads,
                    implicitMixtures, implicitClustering, misses));
            }
        }
        return result.With(rows);
    }

    /// <summary>The settings in words, for the log.</summary>
    public static string Describe(Settings s) =>
        $"conditions={s.ConditionsPath ?? "item clusters"} epochs={s.Epochs} lr={s.LearningRate} hard={string.Join(',', s.Hard)} global={s.Global} tau={string.Join(',', s.Tau)} l2={s.L2} "
        + $"max={string.Join(',', s.Max)} alpha={string.Join(',', s.Alpha)} implicit_share={string.Join(',', s.Share)} head={string.Join(',', s.Head)}";

    private static IEnumerable<(string Label, ConditionalOptions Options)> TrainingGrid(Settings s) =>
        from tau in s.Tau
        from hard in s.Hard
        select (FormattableString.Invariant($"tau={tau} hard={hard}"), new ConditionalOptions
        {
            Epochs = s.Epochs, LearningRate = s.LearningRate, HardNegatives = hard, GlobalNegatives = s.Global, Temperature = tau, L2 = s.L2, Seed = s.Seed,
        });

    private static IEnumerable<(string Label, int Max, ConditionalRetrievalOptions Options)> RetrievalGrid(Settings s) =>
        from max in s.Max
        from alpha in s.Alpha
        from share in s.Share
        from head in s.Head
        select (FormattableString.Invariant($"max={max} alpha={alpha} share={share} head={head}"), max,
            new ConditionalRetrievalOptions { Alpha = alpha, ImplicitShare = share, HeadShare = head });

    /// <summary>
    /// The rows of a conditions file (<c>item&lt;TAB&gt;condition</c> with that header, then any columns the header names;
    /// one condition per item, repeated rows allowed), in file order, each distinct item once. Ids are read as written; one
    /// padded with spaces is another id, said on <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The header, a line (an empty item or condition, more fields than the header
    /// names), or an item's second condition, naming the file and line.</exception>
    public static List<(string Item, string Condition)> ReadTable(string path, TextWriter? warnings = null)
    {
        var rows = new List<(string Item, string Condition)>();
        var conditionOf = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = TextFile.OpenRead(path);
        string? header = TextFile.ReadLine(reader, path, 1);
        var headerFields = header?.Split('\t');
        if (headerFields is not ["item", "condition", ..])
            throw new InvalidDataException($"{path}: the header must be 'item<TAB>condition', not '{header}'.");
        int columns = headerFields.Length, padded = 0, lineNumber = 1;
        string? firstPadded = null;
        for (string? line = TextFile.ReadLine(reader, path, 2); line != null; line = TextFile.ReadLine(reader, path, lineNumber + 1))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0) throw new InvalidDataException($"{path}, line {lineNumber}: expected 'item<TAB>condition' but found '{line}'.");
            // A second condition on the item's line would be dropped unread: one condition per item, one line each.
            if (parts.Skip(columns).Any(p => p.Trim().Length > 0)) // empty trailing fields (a spreadsheet's trailing tab) hold nothing
                throw new InvalidDataException($"{path}, line {lineNumber}: {parts.Length} fields, but the header names {columns} columns: "
                    + $"an item has one condition ('{parts[0]}' lists '{string.Join("', '", parts.Skip(1).Where(p => p.Trim().Length > 0))}').");
            if (parts[0].Trim().Length != parts[0].Length || parts[1].Trim().Length != parts[1].Length)
            {
                padded++;
                firstPadded ??= $"line {lineNumber}: '{parts[0]}' -> '{parts[1]}'";
            }
            if (conditionOf.TryGetValue(parts[0], out var earlier))
            {
                if (earlier != parts[1])
                    throw new InvalidDataException($"{path}, line {lineNumber}: the item '{parts[0]}' has a second condition '{parts[1]}' (one condition per item).");
                continue;
            }
            conditionOf[parts[0]] = parts[1];
            rows.Add((parts[0], parts[1]));
        }
        if (padded > 0)
            warnings?.WriteLine($"  warning: {path}: {padded:N0} lines hold an item or condition with leading or trailing spaces (the first, {firstPadded}); "
                + "ids are read as written, so a padded one is another item or condition.");
        return rows;
    }

    /// <summary>
    /// The conditions of the training items from the file at <paramref name="path"/> (<see cref="ReadTable"/>): items not
    /// in the file have none, items without a training edge are skipped; counts on <paramref name="log"/>, warnings on
    /// <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, or names no training item.</exception>
    public static ItemConditions ReadConditions(string path, IdMap items, TextWriter log, TextWriter warnings)
    {
        var conditionOf = Enumerable.Repeat(ItemConditions.None, items.Count).ToArray();
        var names = new IdMap();
        int unknown = 0;
        foreach (var (id, condition) in ReadTable(path, warnings))
        {
            if (!items.TryGetIndex(id, out int item)) { unknown++; continue; }
            conditionOf[item] = names.GetOrAdd(condition);
        }
        if (names.Count == 0) throw new InvalidDataException($"{path}: no condition of an item in the training data.");
        int none = conditionOf.Count(c => c == ItemConditions.None);
        log.WriteLine($"  conditions: {names.Count:N0} from {path}; {items.Count - none:N0} items with one, {none:N0} without (only the implicit components and the fill retrieve those)"
            + (unknown > 0 ? $"; {unknown:N0} items without a training edge skipped" : ""));
        return ItemConditions.Create(conditionOf, names.Count, names.Ids);
    }
}
