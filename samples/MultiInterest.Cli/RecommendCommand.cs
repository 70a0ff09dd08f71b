using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Onnx;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>recommend</c>: candidates for a list of users from a saved model, by one of three scorers that give the
/// same lists: the loaded zip's ML.NET transformers (the lists fitted with the training items excluded), the
/// engine on the saved tables, or the exported ONNX graphs in ONNX Runtime. All three exclude the training history stored
/// with the model; the last two also exclude --history. With --onnx, a round-robin model is served by <see cref="OnnxRoundRobinScorer"/>,
/// and a DCM one also serves the users it does not know from their --history (MultiInterestRecommender's lists for them).
/// --new-item-edges folds items added since the fit into the live recommender first (<see cref="NewItemEdges"/>).
/// </summary>
internal static class RecommendCommand
{
    public static Command Create(CliConsole console)
    {
        var model = Opt.InputFile("--model", "The model zip (fit or sweep).", "model.zip", required: true);
        var users = Opt.InputFile("--users", "Users in the first column (header line; an edge file works).", required: true);
        var output = Opt.Path("--out", "Where to write the lists: user, rank, item, score, source (Trained, History, FollowedTopics or Popular).", "candidates.tsv", required: true);
        var engine = Opt.Flag("--engine", "Score with the engine on the saved tables instead of the zip's lists.");
        var onnx = Opt.Flag("--onnx", "Score with the exported ONNX graphs in ONNX Runtime.");
        var onnxDirectory = Opt.Path("--onnx-dir", "With --onnx: the exported graphs to use (exported there when missing); default a temporary directory.", "DIR");
        var recommender = Opt.Flag("--recommender", "Serve through MultiInterestRecommender.Recommend (--history = each user's fresh history).");
        var history = Opt.InputFile("--history", "Edges to exclude too, beside the training history stored in the model; an item the model does not know (added since the fit) is ignored by every scorer, and counted. Without --engine or --onnx the loaded zip is then served live through MultiInterestRecommender (the chain's own lists were fixed at fit time). "
            + "With --onnx, users the model does not know are served from their history by the exported graphs of every directory but a clustered history pool's, "
            + "with the lists --recommender gives them: a DCM round robin by its history encoder's soft k-means, a mixture-embedding round robin by one component, "
            + "history-interest MMR by the history's fold-in and interests, kNN-Embed by the history's mixture and vector, unimodal and MMR by its vector "
            + "(the implicit-ALS fold-in on ALS vectors, else the mean item vector: fit --history-vector), "
            + "a conditional model by its conditions' queries, a fusion by every source; a quota or unimodal stage that reads histories by a divide-and-conquer model "
            + "(fit --divide-conquer) by that model's mixture or encoder query, as its directory's history encoder says.");
        var newItemEdges = Opt.InputFile("--new-item-edges", "Edges (user<TAB>item with a header, as training edges) of items added since the fit, folded into the model "
            + "before serving (MultiInterestRecommender.FoldInNewItems): each item the model does not know gets the vector the next implicit-ALS item step would "
            + "give it from the trained users of its edges, and is then recommended and read in --history like a trained item. Edges of known items and of users "
            + "without a trained vector are counted and not read. Served live (implies --recommender); not with --engine or --onnx, which serve the saved model "
            + "only, nor with a round-robin or conditional model (refit to serve new items there).");
        var follows = Opt.InputFile("--follows", "A conditional model: the topics users follow now (user<TAB>topic with a header, a line per topic), served live through "
            + "MultiInterestRecommender.RecommendFollowing (a user with topics and no history or trained vector gets its topics' popular items; implies --recommender), "
            + "or with --onnx by the exported condition model (trained users, and new users with a --history).");
        var exclude = Opt.InputFile("--exclude-items", "Item ids never to recommend (the first TAB-separated field of each line, under a header): items deleted or "
            + "blocked since the fit, left out of every list without changing any user's query (MultiInterestRecommender's exclude; with --engine the "
            + "exclusions of RetrieveWithEngine, with --onnx the scorers' excludeItems, so the lists are the same); ids the model does not know are ignored "
            + "(and counted). Not with --follows.");
        var excludeSelf = Opt.Flag("--exclude-self", "Leave each user's own id out of its list where an item has that id: on a graph whose users and items "
            + "are the same nodes (a citation or follow graph) a paper is otherwise recommended to itself (MultiInterestRecommender.ExcludingSelf; trained "
            + "users, histories and the popular fallback alike; with --engine and --onnx the id joins each trained user's exclusions, so the lists are the "
            + "same). A user whose id is no item is served as without it. Not with --onnx --follows.");
        var explain = Opt.Flag("--explain", "Add four columns to --out: the retrieval stage (its candidates column) and the interest of the user that placed each item "
            + "(-1: the unimodal head or fill of cluster quotas), the item of the user's history closest to it and their cosine (MultiInterestRecommender.Explain; "
            + "implies --recommender; cluster quotas, multi-interest or history-interest MMR, round robin, or a fusion of them). Not with --engine, --onnx or --follows.");
        var interests = Opt.Path("--interests", "With --explain: also write each user's interests there, a line per history item each covers: user, stage, interest, "
            + "weight, cluster (-1 when not a cluster; from 0), item (empty for an interest that covers none).", "FILE");
        var stage = Opt.Path("--stage", "A model whose pipeline holds several retrieval stages: serve the one whose list is this candidates column "
            + "(a stage's or a RankFusion's CandidatesColumnName, or a fusion's source column) instead of the last; served live through "
            + "MultiInterestRecommender (implies --recommender). Not with --engine or --onnx, which serve the last stage.", "COLUMN");
        var count = Opt.Int("--count", 0, "List length per user (0 = the model's M, the fitted stage's). Another length is served live through "
            + "MultiInterestRecommender (Recommend's count; implies --recommender): a list of another length is not always a prefix of the M-long one "
            + "(quotas scale with it). Not with --engine or --onnx, which serve M.", min: 0, max: RetrievalLimits.MaxCandidates);
        var threads = Opt.Int("--threads", 0, "Worker threads; with --onnx, ONNX Runtime's intra-op threads per session (0 = all cores / ONNX Runtime's choice).", min: 0, max: ThreadLimits.MaxThreads);
        var externalData = Opt.Flag("--external-data", "With --onnx, when the graphs are exported here (no --onnx-dir, or one without a manifest): keep every graph's large tables "
            + "in a side file beside it (ONNX external data, <graph>.onnx.data), as export-onnx --external-data does. Without it a graph goes external only when it would pass 2 GB.");
        var spin = Opt.Flag("--onnx-spin", "With --onnx: let idle ONNX Runtime threads spin while waiting for work (off by default: slower on a shared CPU).");
        var prepackBelow = Opt.Int("--onnx-prepack-below-mb", (int)(OnnxSessionDefaults.PrepackTablesBelowBytes >> 20), "With --onnx: item tables smaller than this many MiB "
            + "are prepacked by ONNX Runtime (one more, packed copy of the table; calls at full speed); larger ones are read as they are (one copy of the table; a call "
            + "of few users up to 2x as long). 0 never prepacks. The lists are the same (OnnxSessionFactory.PrepackTablesBelowBytes).", min: 0);
        var trustedKey = Opt.InputFile("--trusted-key", "With --onnx and --onnx-dir: a PEM file with the EC public key of the signer (openssl ec -in signing.pem -pubout "
            + "-out trusted.pem): serve the directory only if it carries a signature this key verifies (export-onnx --signing-key), each part included; "
            + "an unsigned, re-exported or edited directory is refused.", "KEY.pem");
        var batch = Opt.Int("--batch", OnnxCandidateScorer.DefaultBatchSize, "Users per ONNX Runtime batch at most (a call serves fewer where its per-user tensors would pass 64 MiB: docs/onnx.md, \"Memory per call\").", min: 1);
        var gpu = Opt.Parsed<int?>("--gpu", null, "CUDA device of ONNX Runtime (falls back to the CPU without CUDA).", "ID", "the CPU",
            t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) && id >= 0 ? (true, id, null) : (false, null, $"--gpu must be a device number, not '{t}'."));
        var command = new Command("recommend", "Candidates for the users of a file from a saved model. Default: the loaded zip's lists; --engine and --onnx score "
            + "with the engine or ONNX Runtime instead. Every scorer excludes the training history stored in the model.")
        {
            model, users, output, engine, onnx, onnxDirectory, trustedKey, recommender, history, newItemEdges, follows, exclude, excludeSelf, explain, interests, stage, count, threads, batch, gpu, spin, prepackBelow, externalData,
        };
        command.SetAction(r =>
        {
            bool useOnnx = r.GetValue(onnx), useEngine = r.GetValue(engine), api = r.GetValue(recommender);
            string? historyPath = r.Value(history);
            if ((useOnnx ? 1 : 0) + (useEngine ? 1 : 0) + (api ? 1 : 0) > 1)
                throw new UsageException("Choose one scorer: --onnx, --engine or --recommender (or none, for the loaded zip's own lists).");
            // Settings of the ONNX scorer would be ignored without a word by the others.
            string[] onnxSettings = [.. new Option[] { onnxDirectory, trustedKey, batch, spin, prepackBelow, externalData }.Where(r.Given).Select(o => o.Name)];
            if (!useOnnx && onnxSettings.Length > 0)
                throw new UsageException($"{string.Join(" and ", onnxSettings)} set{(onnxSettings.Length == 1 ? "s" : "")} the ONNX scorer: add --onnx, or leave {(onnxSettings.Length == 1 ? "it" : "them")} out.");
            // The loaded chain's lists were fixed at fit time; with fresh history the zip is served live by
            // MultiInterestRecommender over the same loaded tables, which excludes the history too.
            if (historyPath != null && !useOnnx && !useEngine) api = true;
            string? newItemsPath = r.Value(newItemEdges);
            if (newItemsPath != null && (useEngine || useOnnx))
                throw new UsageException($"--new-item-edges folds new items into the live recommender (MultiInterestRecommender.FoldInNewItems): leave out {(useEngine ? "--engine" : "--onnx")}, "
                    + $"which serve{(useEngine ? "s" : "")} the saved model's items only.");
            if (newItemsPath != null) api = true;
            string? followsPath = r.Value(follows);
            string? excludePath = r.Value(exclude);
            if (excludePath != null && followsPath != null)
                throw new UsageException("--exclude-items is not served with followed topics (MultiInterestRecommender.RecommendFollowing has no exclusions): leave out --follows.");
            if (excludePath != null && !useEngine && !useOnnx) api = true;
            bool selfExcluded = r.GetValue(excludeSelf);
            if (selfExcluded && useOnnx && followsPath != null)
                throw new UsageException("--exclude-self is not served with followed topics by ONNX Runtime (its followed-topic lists take no per-user exclusions): "
                    + "leave out --onnx (MultiInterestRecommender.RecommendFollowing serves them without the user's own id) or --exclude-self.");
            if (selfExcluded && !useEngine && !useOnnx) api = true;
            bool explaining = r.GetValue(explain);
            string? interestsPath = r.Value(interests);
            if (interestsPath != null && !explaining)
                throw new UsageException("--interests writes the interests --explain tells: add --explain.");
            if (explaining && (useEngine || useOnnx || followsPath != null))
                throw new UsageException($"--explain is served live through MultiInterestRecommender.Explain: leave out {(useEngine ? "--engine" : useOnnx ? "--onnx" : "--follows")}.");
            if (explaining) api = true;
            string? stageColumn = r.Value(stage);
            if (stageColumn != null && (useEngine || useOnnx))
                throw new UsageException($"--stage is served live through MultiInterestRecommender: leave out {(useEngine ? "--engine" : "--onnx")}, which serve{(useEngine ? "s" : "")} the model's last retrieval stage.");
            if (stageColumn != null) api = true;
            int listLength = r.GetValue(count);
            if (listLength > 0 && (useEngine || useOnnx))
                throw new UsageException($"--count is served live through MultiInterestRecommender (Recommend's count): leave out {(useEngine ? "--engine" : "--onnx")}, which serve{(useEngine ? "s" : "")} the fitted M.");
            if (listLength > 0) api = true;
            if (followsPath != null && useEngine)
                throw new UsageException("--follows serves the topics live (MultiInterestRecommender.RecommendFollowing) or through a conditional model's ONNX directory: leave out --engine.");
            string? trustedKeyPath = r.Value(trustedKey);
            if (trustedKeyPath != null && r.Value(onnxDirectory) == null)
                throw new UsageException("--trusted-key serves a signed export: give its directory with --onnx-dir (export-onnx --signing-key writes one), "
                    + "not the temporary one this command would export into itself.");
            Opt.CheckInputFiles(r);
            // A file there was said by the library's ExportOnnx, naming no flag, once the model was loaded.
            if (r.Value(onnxDirectory) is { } onnxDir && File.Exists(onnxDir))
                throw new UsageException($"--onnx-dir '{onnxDir}' is a file: give the folder export-onnx wrote, or a new folder for this command to export into.");
            // Before the model is loaded and every user served: an --out that cannot be written, or that is one of the inputs, fails now.
            OutputFile.CheckNotOverwriting(Opt.InputFiles(r), ("--out", r.Value(output)), ("--interests", interestsPath));
            if (interestsPath != null && Path.GetFullPath(interestsPath) == Path.GetFullPath(r.Value(output)!))
                throw new UsageException("--interests and --out name the same file: give each its own.");
            OutputFile.CheckWritable(r.Value(output)!, "--out");
            if (interestsPath != null) OutputFile.CheckWritable(interestsPath, "--interests");
            return Run(r.Value(model)!, r.Value(users)!, r.Value(output)!, historyPath, followsPath, excludePath, r.Value(onnxDirectory), useOnnx, useEngine, api || (followsPath != null && !useOnnx),
                r.Value(threads), r.Value(batch), r.Value(gpu), r.GetValue(spin), console.Out, console.Error, explaining, interestsPath, stageColumn, listLength, newItemsPath, selfExcluded,
                trustedKeyPath, r.GetValue(externalData) ? OnnxExternalData.Always : OnnxExternalData.Automatic, (long)r.GetValue(prepackBelow) << 20);
        });
        return command;
    }

    private static int Run(string modelPath, string usersPath, string outPath, string? history, string? follows, string? exclude, string? onnxDirectory, bool onnx, bool engine, bool api,
        int threads, int batch, int? gpu, bool spin, TextWriter log, TextWriter warnings, bool explain = false, string? interestsPath = null, string? stageColumn = null,
        int count = 0, string? newItemEdges = null, bool excludeSelf = false, string? trustedKeyPath = null,
        OnnxExternalData externalData = OnnxExternalData.Automatic, long prepackTablesBelowBytes = OnnxSessionDefaults.PrepackTablesBelowBytes)
    {
        // Every scorer excludes the model's stored training history; --history adds (its union is taken) fresh seen items.
        var ml = new MLContext(seed: 1);
        // The CPU fallback is a warning (standard error), not part of the lists' log.
        bool holdsPrivatePart = false;
        using var trusted = trustedKeyPath != null ? SigningKeyFile.ReadTrusted(trustedKeyPath, "--trusted-key", out holdsPrivatePart) : null;
        if (trusted != null && holdsPrivatePart)
            warnings.WriteLine($"warning: --trusted-key: '{trustedKeyPath}' holds the private key too; a server needs only the public part "
                + "(openssl ec -in KEY -pubout -out trusted.pem), and whoever reads the private key can sign directories.");
        var sessions = new OnnxSessionFactory(gpu, message => warnings.WriteLine($"warning: {message}")) { IntraOpThreads = threads, AllowSpinning = spin, TrustedSigningKey = trusted,
            PrepackTablesBelowBytes = prepackTablesBelowBytes };
        sessions.ApplyTo(ml);
        using var model = MultiInterestModel.Load(ml, modelPath);
        var ids = ServingData.Users(usersPath, out string header, out var blankIdLines);
        // A blank id the model was not trained on is refused by file and line for every scorer, as the recommender refuses it.
        if (blankIdLines.Count > 0)
            BlankUserIds.Refuse(usersPath, blankIdLines, model.GraphEmbedding is { } trainedOn
                ? ServingData.RowsOf(trainedOn.UserIds, trainedOn.UserEmbeddings.Contains).ContainsKey
                : ml.MultiInterest().CreateRecommender(model).KnowsUser);
        // Read once each: the exclusions, the new users' histories and the recommender's fresh histories come from the
        // history; every scorer that serves topics, and the recommender's fill, from the same followed topics.
        var historyEdges = history == null ? null : EdgeFile.Read(history);
        // A history's weights are not read either (a fresh history is a set of items), and padded ids are other ids: said as for training files.
        if (historyEdges != null) TrainingFileChecks.Warn(historyEdges, history!, "recommend --history", warnings, TrainingWeights.NotOffered);
        var fresh = historyEdges?.ToLookup(e => e.User, e => e.Item, StringComparer.Ordinal);
        // Said for every scorer (the live recommender skips such items just as the engine and ONNX do): between two fits a
        // history names items added since the fit, which no list can hold until the next fit.
        // --new-item-edges: the live recommender with the new items folded in, before any history is counted or user served.
        var foldedIn = newItemEdges == null ? null : NewItemEdges.FoldIn(ml, model, stageColumn, newItemEdges, threads, log, warnings);
        if (historyEdges != null && model.GraphEmbedding is { } fitted)
            CountHistory(historyEdges, history!, ServingData.RowsOf(fitted.UserIds, fitted.UserEmbeddings.Contains),
                NewItemEdges.WithFolded(ServingData.RowsOf(fitted.ItemIds, fitted.ItemEmbeddings.Contains), foldedIn), log);
        var topics = follows == null ? null : ServingData.Follows(follows);
        if (ServingData.KnownHeaderId(header, model.GraphEmbedding is { } trained ? trained.UserIds.Contains : null) is { } firstField)
            // An edge file read as a users file repeats its users: then the first line's user is served from a later line.
            warnings.WriteLine($"warning: the first line of '{usersPath}' is read as its header, but it starts with '{firstField}', a user the model knows: "
                + (ids.Contains(firstField, StringComparer.Ordinal)
                    ? "that user is served all the same, from a later line of the file, but a file without a header loses its first line (add a header line such as 'user')."
                    : "that user is not served (add a header line such as 'user')."));
        if (model.GraphEmbedding?.UserIds is { } modelUsers)
        {
            // Ids are matched exactly: one the model knows only without its surrounding spaces is served as a user it does not know.
            var knownIds = modelUsers.ToHashSet(StringComparer.Ordinal);
            var padded = ids.Where(u => !knownIds.Contains(u) && u.Trim() != u && knownIds.Contains(u.Trim())).ToArray();
            if (padded.Length > 0)
                warnings.WriteLine($"warning: {Counted.Of(padded.Length, "user id")} of '{usersPath}' (the first '{padded[0]}') the model knows only without "
                    + $"the spaces around {(padded.Length == 1 ? "it" : "them")}: ids are matched exactly as written, so {(padded.Length == 1 ? "it is" : "they are")} served as users the model does not know.");
            ServingData.RefuseItemLists(ids, knownIds.Contains, usersPath);
        }
        var clock = Stopwatch.StartNew();
        List<ServedList> lists;
        string scorer, setUp = "";
        if (api)
        {
            scorer = "MultiInterestRecommender";
            // --stage: one stage of several, by its candidates column (the library names the columns it can serve if none is).
            var recommender = (foldedIn?.Recommender
                ?? (stageColumn == null ? ml.MultiInterest().CreateRecommender(model) : ml.MultiInterest().CreateRecommender(model, stageColumn))).ExcludingSelf(excludeSelf);
            if (excludeSelf) log.WriteLine(SelfWording(ids.Count(recommender.KnowsItem), ids.Count));
            if (topics != null)
            {
                if (recommender.Topics.Count == 0)
                    throw new InvalidDataException($"--follows needs a conditional model (fit --retriever conditional); '{modelPath}' retrieves by {recommender.Method}.");
                // Checked before serving, so a typo fails with its line rather than in the middle of the run.
                ServingData.CheckTopics(topics, recommender.Topics, follows!);
            }
            string[]? excluded = ExcludedIds(exclude, model, log);
            clock.Restart();
            var results = new ServedList[ids.Count];
            // A model whose stage names no interests is refused by the first user's explanation, before the others are served.
            if (explain && ids.Count > 0) results[0] = Explained(recommender, ids[0], fresh, excluded, count);
            Parallel.For(explain ? 1 : 0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = threads <= 0 ? Environment.ProcessorCount : threads },
                q => results[q] = explain ? Explained(recommender, ids[q], fresh, excluded, count) : Serve(recommender, ids[q], fresh, topics, excluded, count));
            lists = results.ToList();
            if (explain) scorer = "MultiInterestRecommender.Explain";
        }
        else if (!onnx && !engine)
        {
            scorer = "zip (ML.NET transformers)";
            lists = FromZip(ml, model, ids);
        }
        else
        {
            var embedding = model.GraphEmbedding ?? throw new InvalidDataException($"'{modelPath}' has no GraphEmbedding stage to serve from.");
            // A user key without training edges has a zero vector and no list of its own: it is served as a user the model does
            // not know (by its --history, else the popular items), as the zip and MultiInterestRecommender serve it.
            var userRows = ServingData.RowsOf(embedding.UserIds, embedding.UserEmbeddings.Contains);
            // Trained users with a --history on a stage that reads them from their whole history are not the scorer's trained
            // lists: MultiInterestRecommender serves them (below, in Complete), so every scorer gives the same lists.
            var live = new Lazy<MultiInterestRecommender>(() => ml.MultiInterest().CreateRecommender(model).ExcludingSelf(excludeSelf));
            var itemRows = ServingData.RowsOf(embedding.ItemIds);
            // The items a history is read with: an item key without training edges (the key type wider than the items fitted)
            // has no vector, and MultiInterestRecommender ignores it as an id it does not know; a new user left with no such
            // item gets the popular items from it (Complete), not an empty list from the graphs.
            var historyItemRows = ServingData.RowsOf(embedding.ItemIds, embedding.ItemEmbeddings.Contains);
            // A fusing model has no single serving stage; its sources share the training history (TrainingHistory reads the first's).
            BipartiteGraph? exclusions = model.RankFusions.Count > 0 || model.ServingStage.HasTrainingHistory ? model.TrainingHistory() : null;
            // Trained users whose --history holds an item they were not trained on (a model saved without its training history
            // cannot tell, and is served as before).
            var withNewItems = fresh == null || exclusions == null ? []
                : ids.Where(u => userRows.TryGetValue(u, out int row) && fresh[u].Any(i => historyItemRows.TryGetValue(i, out int item) && !exclusions.Contains(row, item)))
                    .ToHashSet(StringComparer.Ordinal);
            var reread = withNewItems.Count > 0 && live.Value.RereadsTrainedUsers ? withNewItems : [];
            // --exclude-self on a stage that reads the exclusions as the users' own items: the users whose id is an item are served live.
            var selfLive = excludeSelf && SelfExclusions.ReadAsOwnItems(model)
                ? ids.Where(u => userRows.ContainsKey(u) && itemRows.ContainsKey(u) && !reread.Contains(u)).ToHashSet(StringComparer.Ordinal) : [];
            var known = ids.Where(u => userRows.ContainsKey(u) && !reread.Contains(u) && !selfLive.Contains(u)).ToList();
            var rows = known.Select(u => userRows[u]).ToArray();
            if (exclusions == null) log.WriteLine("The model was saved without its training history: only --history is excluded.");
            if (historyEdges != null)
            {
                var freshRows = ServingData.History(historyEdges, userRows, itemRows, out _, out _);
                exclusions = exclusions == null ? freshRows : ServingData.Union(exclusions, freshRows);
            }
            if (excludeSelf)
            {
                exclusions = SelfExclusions.Add(exclusions, known, userRows, itemRows, out _);
                log.WriteLine(SelfWording(ids.Count(historyItemRows.ContainsKey), ids.Count));
            }
            // --exclude-items: every scorer's excludeItems (kept apart from the users' own items, which pick a clustered history
            // pool's lists), and the recommender's exclude for the users it completes.
            string[]? excludedIds = ExcludedIds(exclude, model, log);
            int[]? excludedRows = excludedIds?.Where(itemRows.ContainsKey).Select(i => itemRows[i]).Order().ToArray();
            RankedLists ranked;
            // Users the model does not know, by their --history (item rows): a DCM round-robin directory serves them (below).
            // With --exclude-self, a new user whose id is an item is served live (the graphs' history lists take no per-user exclusions).
            var newUsers = historyEdges == null || !onnx ? []
                : ServingData.NewUserHistories(historyEdges, ids.Where(u => !userRows.ContainsKey(u) && !(excludeSelf && itemRows.ContainsKey(u))), historyItemRows);
            var historyLists = new Dictionary<string, int>(StringComparer.Ordinal);
            RankedLists? fromHistory = null;
            // Set-up (session creation) and the first batch (JIT, first-run allocations) are timed apart, so the
            // users/s figure is the steady state that a long-running service sees.
            var warmUp = rows.Take(Math.Min(rows.Length, batch)).ToArray();
            if (engine)
            {
                scorer = "engine";
                var first = Stopwatch.StartNew();
                model.RetrieveWithEngine(warmUp, exclusions, threads, excludedRows);
                setUp = $"first batch of {warmUp.Length} in {first.Elapsed.TotalSeconds:F2} s; ";
                clock.Restart();
                ranked = model.RetrieveWithEngine(rows, exclusions, threads, excludedRows);
            }
            else
            {
                scorer = "ONNX Runtime";
                string directory = onnxDirectory ?? Path.Combine(Path.GetTempPath(), $"multiinterest-onnx-{Guid.NewGuid():N}");
                // An export of our own is removed however the command ends (after the sessions reading it are closed).
                using var temporary = onnxDirectory == null ? new TemporaryDirectory(directory) : null;
                bool hasExport = File.Exists(Path.Combine(directory, OnnxServingDirectory.ManifestFileName));
                // An export of its own would be unsigned: a trusted key serves only what its signer exported.
                if (!hasExport && sessions.TrustedSigningKey != null)
                    throw new FileNotFoundException($"--onnx-dir '{directory}' holds no export (no {OnnxServingDirectory.ManifestFileName}), and with --trusted-key this command "
                        + "serves a signed export only: export and sign it first (export-onnx --model MODEL --out DIR --signing-key KEY.pem).");
                if (onnxDirectory == null || !hasExport)
                    model.ExportOnnx(directory, externalData: externalData);
                // A directory given with --onnx-dir may hold another model's export: refused rather than served.
                var exported = model.CheckOnnxDirectory(directory);
                if (follows != null && exported.ConditionModel == null)
                    throw new InvalidDataException($"--follows with --onnx needs a conditional model's directory with its condition model (fit --retriever conditional, export-onnx); "
                        + $"'{directory}' holds " + exported.Retrieval switch
                        {
                            OnnxServingManifest.ConditionalRetrieval => "a conditional export without it (export it again).",
                            OnnxServingManifest.ConditionalMergedRetrieval => "conditions merged with a mixture, whose followed topics the library serves "
                                + "(OnnxConditionalMergeScorer.RetrieveFollowing) and --recommender, not this command.",
                            _ => (exported.Retrieval ?? OnnxServingManifest.ClusterQuotaRetrieval) + ".",
                        });
                if (OnnxDirectoryServing.TryServe(exported, directory, sessions, batch, exclusions, rows, warmUp, newUsers, historyLists, out fromHistory, out setUp, clock, log,
                    excludedRows) is { } served)
                {
                    lists = Complete(ids, Lists(ids, known, served, historyLists, fromHistory, embedding.ItemIds), live, model, fresh, topics, scorer, log, reread, excludedIds, selfLive);
                    return Finish(outPath, ids, lists, fresh, scorer, setUp, clock, log, warnings, AskedLength(model, count, stageColumn));
                }
                var open = Stopwatch.StartNew();
                using var scorerSession = OnnxCandidateScorer.Open(directory, sessions, batch);
                double openSeconds = open.Elapsed.TotalSeconds;
                // Cluster-quota and conditional stages are served by the quota graphs (the latter over the items grouped by condition).
                bool quota = model.ServingStage.Method is CandidateMethod.ClusterQuota or CandidateMethod.Conditional;
                RankedLists Score(int[] users) => quota ? scorerSession.RetrieveClusterQuota(users, exclusions, excludedRows)
                    : scorerSession.RetrieveUnimodal(users, exclusions, excludedRows);
                var first = Stopwatch.StartNew();
                Score(warmUp);
                setUp = $"sessions opened in {openSeconds:F2} s, first batch of {warmUp.Length} in {first.Elapsed.TotalSeconds:F2} s; ";
                if (topics != null) ServingData.CheckTopics(topics, scorerSession.Topics, follows!);
                clock.Restart();
                ranked = Score(rows);
                if (topics != null) OnnxFollowing.ServeKnown(scorerSession, topics, known, rows, ranked, model.TrainingHistory(), exclusions, log);
                // Users the model does not know, by their --history: a kNN-Embed quota directory builds their mixtures (a conditional
                // one their conditions' queries; with a divide-and-conquer history encoder, the model's) as the recommender does; a
                // unimodal model ranks their history's vector (fold-in, mean or the encoder's query).
                if (topics != null)
                    fromHistory = OnnxFollowing.ServeNew(scorerSession, topics, ids.Where(u => !userRows.ContainsKey(u)), newUsers, historyLists, log);
                else if (newUsers.Count > 0 && quota && scorerSession.ServesQuotaHistories)
                {
                    fromHistory = scorerSession.RetrieveClusterQuotaFromHistories(OnnxDirectoryServing.Histories(newUsers, historyLists), excludeItems: excludedRows);
                    log.WriteLine($"{Counted.Of(newUsers.Count, "user")} unknown to the model served from their --history (its "
                        + (exported.IsConditional ? "conditions' queries" : OnnxDirectoryServing.HistoryMixtureWording(exported)) + $" and {OnnxDirectoryServing.HistoryVectorWording(exported)}, computed as the engine does).");
                }
                else if (newUsers.Count > 0 && !quota && scorerSession.ServesUnimodalHistories)
                {
                    fromHistory = scorerSession.RetrieveUnimodalFromHistories(OnnxDirectoryServing.Histories(newUsers, historyLists), excludeItems: excludedRows);
                    log.WriteLine($"{Counted.Of(newUsers.Count, "user")} unknown to the model served from their --history (its {OnnxDirectoryServing.HistoryVectorWording(exported)}, computed as the engine does).");
                }
                else if (newUsers.Count > 0)
                    log.WriteLine($"{Counted.Of(newUsers.Count, "user")} unknown to the model have a --history, but this model's ONNX directory serves trained users only: MultiInterestRecommender serves them (below).");
                log.WriteLine($"ONNX Runtime's candidates re-ranked with the engine's arithmetic: {scorerSession.ProvedFromCandidates:N0} rankings shown exact from them alone, "
                    + $"{scorerSession.Rescanned:N0} searched again with the engine where they could not be"
                    + (scorerSession.FilledWithEngine > 0 ? $", {scorerSession.FilledWithEngine:N0} lists the clusters left short filled from the engine's ranking of the catalogue" : "")
                    + " (warm-up batch included).");
            }
            lists = Complete(ids, Lists(ids, known, ranked, historyLists, fromHistory, embedding.ItemIds), live, model, fresh, topics, scorer, log, reread, excludedIds, selfLive);
        }
        return Finish(outPath, ids, lists, fresh, scorer, setUp, clock, log, warnings, AskedLength(model, count, stageColumn), interestsPath);
    }

    /// <summary>What --exclude-self does for the users file: how many of its ids are items of the model.</summary>
    private static string SelfWording(int selfItems, int users) =>
        $"--exclude-self: {Counted.Of(selfItems, "user")} of {users:N0} {(selfItems == 1 ? "has an id that is" : "have ids that are")} items of the model, left out of their own lists.";

    /// <summary>The ids of --exclude-items (null without it), with how many the model knows logged.</summary>
    private static string[]? ExcludedIds(string? exclude, MultiInterestModel model, TextWriter log)
    {
        if (exclude == null) return null;
        var known = model.GraphEmbedding?.ItemIds.ToHashSet(StringComparer.Ordinal);
        // A file without a header loses its first item as one, and that item is served: refused, where the users file's is warned of.
        string[] excluded = [.. ServingData.Items(exclude, "--exclude-items", known == null ? null : known.Contains)];
        if (known != null)
        {
            int unknown = excluded.Count(id => !known.Contains(id));
            log.WriteLine($"--exclude-items '{exclude}': {Counted.Of(excluded.Length - unknown, "item")} left out of every list"
                + (unknown > 0 ? $"; {Counted.Of(unknown, "id")} the model does not know (ignored: never recommended anyway)." : "."));
        }
        return excluded;
    }

    /// <summary>
    /// Logs how many --history edges are of users the model does not know (served from them) and how many name an item it does not
    /// know (ignored by every scorer: such an item is neither recommended nor read in a history).
    /// </summary>
    private static void CountHistory(IEnumerable<RawEdge> historyEdges, string history, IReadOnlyDictionary<string, int> userRows, IReadOnlyDictionary<string, int> itemRows,
        TextWriter log)
    {
        ServingData.History(historyEdges, userRows, itemRows, out int newUserEdges, out int unknownItemEdges);
        if (newUserEdges > 0)
            log.WriteLine($"--history '{history}': {Counted.Of(newUserEdges, "edge")} of users the model does not know (their lists come from these histories; see below).");
        if (unknownItemEdges > 0)
            log.WriteLine($"--history '{history}': {Counted.Of(unknownItemEdges, "edge")} with an item the model does not know (ignored: such an item is never recommended, "
                + "nor read in a history; an item added to the catalogue since the fit is learned by the next fit, docs/persistence.md, \"New items between fits\").");
    }

    /// <summary>
    /// The list length asked for: --count, else the M of the stage served (--stage's, else the last fusion's, else the last
    /// retrieval stage's, as <see cref="MultiInterestModel"/> serves them); 0 when the model names none.
    /// </summary>
    private static int AskedLength(MultiInterestModel model, int count, string? stageColumn)
    {
        if (count > 0) return count;
        if (stageColumn != null) return model.CandidateLists.FirstOrDefault(c => c.CandidatesColumnName == stageColumn)?.Candidates ?? 0;
        if (model.RankFusions.Count > 0) return model.RankFusions[^1].Candidates;
        return model.CandidateLists.Count > 0 ? model.CandidateLists[^1].Candidates : 0;
    }

    private static int Finish(string outPath, List<string> ids, List<ServedList> lists, ILookup<string, string>? fresh, string scorer, string setUp, Stopwatch clock,
        TextWriter log, TextWriter warnings, int asked, string? interestsPath = null)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        WritableIds.Require(outPath, interestsPath, lists); // before either file is touched
        OutputFile.WriteReplacing(outPath, path => CandidateFile.Write(path, lists)); // a cut run leaves the earlier file whole, never a shorter one
        if (interestsPath != null)
        {
            OutputFile.WriteReplacing(interestsPath, path => CandidateFile.WriteInterests(path, lists));
            log.WriteLine($"Interests of {Counted.Of(lists.Count, "user")} -> {interestsPath}");
        }
        int without = ids.Count - lists.Count(l => l.Items.Length > 0);
        log.WriteLine($"{scorer}: {setUp}{Counted.Of(lists.Count, "user")} in {seconds:F2} s ({lists.Count / Math.Max(seconds, 1e-9):N0} users/s) -> {outPath}"
            + (without > 0 ? $"; {Counted.Of(without, "user")} without candidates (every item excluded for them, or unknown to a model saved without its training history, "
                + "which serves only the users it was trained on)." : "."));
        // Lists shorter than asked were said only when empty: a short one reads as a full list of a small catalogue.
        int shortLists = asked == 0 ? 0 : lists.Count(l => l.Items.Length > 0 && l.Items.Length < asked);
        if (shortLists > 0)
            log.WriteLine($"{Counted.Of(shortLists, "list")} {(shortLists == 1 ? "holds" : "hold")} fewer than the M = {asked:N0} asked (the shortest {lists.Where(l => l.Items.Length > 0).Min(l => l.Items.Length):N0}): "
                + "fewer items were left to recommend once the user's seen and excluded items were taken out, or the stage found fewer (cluster quotas without a fill).");
        // Where the lists came from (also the file's source column): a popular fallback must not pass for a personal list.
        log.WriteLine(CandidateFile.SourceSummary(lists));
        // A history that served nobody: none of its items is one the model knows (another catalogue's ids, a column mix-up).
        var unheard = fresh == null ? [] : lists.Where(l => l.Source == CandidateSource.Popular && fresh.Contains(l.User)).Select(l => l.User).ToArray();
        if (unheard.Length > 0)
            warnings.WriteLine($"warning: {Counted.Of(unheard.Length, "user")} unknown to the model (the first '{unheard[0]}') {(unheard.Length == 1 ? "has a --history but none of its items is one the model knows, so its list is" : "have a --history but none of their items is one the model knows, so their lists are")} "
                + "the popular fallback. Items added to the catalogue since the fit are learned by the next fit; if these are not new items, "
                + "check that --history's second column holds the model's item ids.");
        // Every list a fallback: the ids of the users file are not the model's (another dataset, a column or format mix-up).
        if (lists.Count > 0 && lists.All(l => l.Source == CandidateSource.Popular))
            warnings.WriteLine((lists.Count == 1 ? "warning: the file's one user is not known to the model and has no --history item the model knows: its list is the popular fallback. "
                : $"warning: none of the {lists.Count:N0} users is known to the model or has a --history item it knows: every list is the popular fallback. ")
                + "Check that the users file's first TAB-separated column holds the user ids the model was fitted on.");
        return 0;
    }

    /// <summary>
    /// One user's list from MultiInterestRecommender: by the topics it follows (--follows) when it has any, else by its --history;
    /// <paramref name="count"/> items (0 = the model's M).
    /// </summary>
    private static ServedList Serve(MultiInterestRecommender recommender, string user, ILookup<string, string>? fresh, ServingData.FollowedTopics? topics,
        string[]? excluded = null, int count = 0)
    {
        var followed = topics?.Of(user);
        var list = followed is { Length: > 0 } ? recommender.RecommendFollowing(user, followed, fresh?[user], count)
            : recommender.Recommend(user, fresh?[user], count, excluded);
        return new ServedList(user, list.Items.Select(i => i.ItemId).ToArray(), list.Items.Select(i => i.Score).ToArray(), list.Source);
    }

    /// <summary>One user's list from MultiInterestRecommender.Explain (by its --history, without the items of --exclude-items), with its explanation.</summary>
    private static ServedList Explained(MultiInterestRecommender recommender, string user, ILookup<string, string>? fresh, string[]? excluded, int count)
    {
        var explained = recommender.Explain(user, fresh?[user], count, excluded);
        return new ServedList(user, explained.Items.Select(i => i.ItemId).ToArray(), explained.Items.Select(i => i.Score).ToArray(), explained.Source, explained);
    }

    /// <summary>
    /// Gives the users the engine or ONNX scorer left without a list (unknown to the model, with no --history or topics that
    /// scorer serves) the list MultiInterestRecommender gives them: from their --history or followed topics, else the
    /// popular items. Every scorer then writes a list for every user of the file, the same as the zip's and --recommender's,
    /// and the source column tells the fallbacks. A model saved without its training history cannot be served live: its
    /// unserved users keep no list.
    /// </summary>
    private static List<ServedList> Complete(List<string> ids, ServedList?[] lists, Lazy<MultiInterestRecommender> live, MultiInterestModel model, ILookup<string, string>? fresh,
        ServingData.FollowedTopics? topics, string scorer, TextWriter log, HashSet<string> reread, string[]? excluded, HashSet<string> selfLive)
    {
        var missing = Enumerable.Range(0, ids.Count).Where(q => lists[q] == null).ToArray();
        if (missing.Length > 0 && (model.RankFusions.Count > 0 || model.ServingStage.HasTrainingHistory))
        {
            var recommender = live.Value;
            foreach (int q in missing) lists[q] = Serve(recommender, ids[q], fresh, topics, excluded);
            var rereadRows = missing.Where(q => reread.Contains(ids[q])).ToArray();
            var selfRows = missing.Where(q => selfLive.Contains(ids[q])).ToArray();
            var unknown = missing.Except(rereadRows).Except(selfRows).ToArray();
            if (rereadRows.Length > 0)
                log.WriteLine($"{Counted.Of(rereadRows.Length, "trained user")} with a --history read from their whole history (training items and --history's, as the stage "
                    + $"reads them: MultiInterestRecommender.RereadsTrainedUsers), served by MultiInterestRecommender rather than {scorer}'s trained lists.");
            if (selfRows.Length > 0)
                log.WriteLine($"{Counted.Of(selfRows.Length, "trained user")} whose id is an item served by MultiInterestRecommender rather than {scorer}: "
                    + "the stage reads their exclusions as their own items (a history-interest MMR pool that searches their items' lists), so --exclude-self leaves the id out there only.");
            // Only the users the scorer left without a list: it may have served other new users from their --history.
            if (unknown.Length > 0)
                log.WriteLine($"{Counted.Of(unknown.Length, "user")} of the users file unknown to the model and not served by {scorer}: MultiInterestRecommender serves them, "
                    + $"from their --history or followed topics where they have one, else with the popular items ({CandidateFile.CountBySource(unknown.Select(q => lists[q]!))}).");
        }
        return lists.Where(l => l != null).Select(l => l!).ToList();
    }

    /// <summary>
    /// The lists in the order of the users file: known users by their row's list (Trained), new users by their history's
    /// (History); null for a user the scorer did not serve.
    /// </summary>
    private static ServedList?[] Lists(List<string> ids, List<string> known, RankedLists ranked,
        Dictionary<string, int> historyLists, RankedLists? fromHistory, IReadOnlyList<string> itemIds)
    {
        var positionOf = new Dictionary<string, int>(known.Count, StringComparer.Ordinal);
        for (int q = 0; q < known.Count; q++) positionOf[known[q]] = q;
        var lists = new ServedList?[ids.Count];
        for (int u = 0; u < ids.Count; u++)
        {
            string user = ids[u];
            var (from, q, source) = positionOf.TryGetValue(user, out int p) ? (ranked, p, CandidateSource.Trained)
                : fromHistory != null && historyLists.TryGetValue(user, out int h) ? (fromHistory, h, CandidateSource.History) : (null, -1, CandidateSource.Popular);
            if (from != null) lists[u] = new ServedList(user, from.IndicesOf(q).ToArray().Select(i => itemIds[i]).ToArray(), from.ScoresOf(q).ToArray(), source);
        }
        return lists;
    }

    /// <summary>The lists the loaded model's ML.NET transformers append, read through the model's own key names, with their source column.</summary>
    private static List<ServedList> FromZip(MLContext ml, MultiInterestModel model, List<string> users)
    {
        // A fusing model's lists are its last fusion's columns; any other model's, its serving stage's. A fusion has no source
        // column of its own: its sources serve the same users (MultiInterestRecommender takes the first's), so the first's tells.
        var (candidatesColumn, scoresColumn, stage) = model.RankFusions.Count > 0
            ? (model.RankFusions[^1].CandidatesColumnName, model.RankFusions[^1].CandidateScoresColumnName, model.CandidateLists[0])
            : (model.ServingStage.CandidatesColumnName, model.ServingStage.CandidateScoresColumnName, model.ServingStage);
        var output = model.Transformer.Transform(ServingData.RequestRows(ml, model.InputSchema, users));
        var candidates = output.Schema[candidatesColumn];
        // Models saved before 2026-11-30 append no source: they list the trained users only, so a list is a trained user's.
        var sourceColumn = stage.CandidateSourceColumnName is { } name ? output.Schema.GetColumnOrNull(name) : null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        candidates.GetKeyValues(ref names);
        var itemIds = names.DenseValues().Select(n => n.ToString()).ToArray();
        var lists = new List<ServedList>(users.Count);
        using var cursor = output.GetRowCursor(sourceColumn is { } c ? [candidates, output.Schema[scoresColumn], c] : [candidates, output.Schema[scoresColumn]]);
        var getKeys = cursor.GetGetter<VBuffer<uint>>(candidates);
        var getScores = cursor.GetGetter<VBuffer<float>>(output.Schema[scoresColumn]);
        var getSource = sourceColumn is { } sc ? cursor.GetGetter<ReadOnlyMemory<char>>(sc) : null;
        VBuffer<uint> keys = default;
        VBuffer<float> scores = default;
        ReadOnlyMemory<char> sourceText = default;
        int row = 0;
        while (cursor.MoveNext())
        {
            getKeys(ref keys);
            getScores(ref scores);
            var k = keys.DenseValues().ToArray();
            var s = scores.DenseValues().ToArray();
            int count = Array.IndexOf(k, 0u) is int end and >= 0 ? end : k.Length;
            var source = CandidateSource.Trained;
            if (getSource != null)
            {
                getSource(ref sourceText);
                source = Enum.Parse<CandidateSource>(sourceText.Span);
            }
            lists.Add(new ServedList(users[row++], k[..count].Select(key => itemIds[key - 1]).ToArray(), s[..count], source));
        }
        return lists;
    }
}
