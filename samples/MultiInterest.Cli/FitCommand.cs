using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit</c>: a retrieval pipeline as ML.NET estimators (MapValueToKey, GraphEmbedding and, by default, the
/// history-interest MMR stage) fitted on an edge file and saved with mlContext.Model.Save; <c>--retriever</c> ends the
/// embeddings in another stage instead (<c>quota</c>: the kNN-Embed pipeline, SphericalKMeans, KnnSmoothedMixture and
/// ClusterQuotaRetriever).
/// </summary>
internal static class FitCommand
{
    /// <summary>The library's components whose MLContext log messages are the fit's progress.</summary>
    private static readonly string[] Components =
        [
            nameof(GraphEmbeddingTrainer), nameof(SphericalKMeansTrainer), nameof(KnnSmoothedMixtureEstimator), nameof(ClusterQuotaRetrieverEstimator),
            nameof(UnimodalRetrieverEstimator), nameof(MmrRetrieverEstimator), nameof(RoundRobinRetrieverEstimator), nameof(RankFusionEstimator),
            nameof(ConditionalRetrieverEstimator),
        ];

    /// <summary>The pipelines that fit the kNN-Embed clusters and mixtures, as the help and the stray-flag refusal name them.</summary>
    private const string KnnEmbedReaders = "--retriever quota; mmr with --interest-weight, conditional with --cond-implicit-share above 0";

    /// <summary>Where <c>--retriever fused</c> keeps the history-interest MMR list before the round robin writes Candidates.</summary>
    private const string HistoryMmrCandidates = "HistoryMmrCandidates";

    private static string HistoryVectorName(HistoryVector value) => value switch
    {
        HistoryVector.Auto => "auto",
        HistoryVector.Mean => "mean",
        HistoryVector.FoldIn => "fold-in",
        HistoryVector.Encoder => "encoder",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    private static string Name(FitRetriever retriever) => retriever switch
    {
        FitRetriever.Quota => "quota",
        FitRetriever.Unimodal => "unimodal",
        FitRetriever.HistoryMmr => "history-mmr",
        FitRetriever.RoundRobin => "round-robin",
        FitRetriever.Fused => "fused",
        FitRetriever.Conditional => "conditional",
        FitRetriever.Mmr => "mmr",
        _ => throw new ArgumentOutOfRangeException(nameof(retriever), retriever, null),
    };

    /// <summary>The stage as a stray flag's message names it, saying when it is the default (no <c>--retriever</c> given).</summary>
    private static string StageName(ParseResult r, CliOption<FitRetriever> retriever) => $"--retriever {Name(r.Value(retriever))}{(r.Given(retriever) ? "" : ", the default")}";

    /// <summary>
    /// What to do with a kNN-Embed flag this fit does not read: without <c>--retriever</c> the flag most likely comes from a
    /// script written for the quota pipeline, fit's default before 1.3.0, which leaving it out would not give back.
    /// </summary>
    private static string QuotaAdvice(ParseResult r, CliOption<FitRetriever> retriever) =>
        r.Given(retriever) ? "leave it out" : "add --retriever quota (fit's default before 1.3.0), or leave it out";

    public static Command Create(CliConsole console)
    {
        var train = Opt.InputFile("--train", "Training edges: user<TAB>item TSV with a header line, raw ids, .gz allowed.", required: true);
        var model = Opt.Path("--model", "Where to save the fitted pipeline (a zip mlContext.Model.Load reads).", "model.zip", required: true);
        var weights = WeightsOption.Create();
        var previous = WarmStartOption.Create();
        var previousIterations = WarmStartOption.CreateIterations();
        var candidates = Opt.Int("--candidates", ClusterQuotaRetrieverDefaults.Candidates, "M: candidates per user of the retrieval stage.", min: 1, max: RetrievalLimits.MaxCandidates);
        var run = new RunFlags();
        var embedding = new EmbeddingFlags();
        var pipeline = new PipelineFlags();
        var quotaStage = new PipelineFlags.QuotaStage();
        var neighborIndex = new NeighborIndexOption.Flags();
        var retriever = Opt.Choice("--retriever", FitRetriever.HistoryMmr, Name,
            "The retrieval stage: history-mmr (history-interest MMR, the --history-* settings; no clustering or mixture stage), "
            + "quota (kNN-Embed: clusters, smoothed mixtures, cluster quotas), unimodal (the single vector's top M) or round-robin (learned multi-vector "
            + "embeddings: the --dcm or --mixture-embeddings model with its --dcm-* / --mix-* settings, instead of --algorithm) or fused (history-mmr fused with the "
            + "round robin of a DCM model warm-started from the same --algorithm vectors, weights --dcm-fusion-weight and 1 minus it: the dcm_history_fusion row) "
            + "or conditional (Pinterest's conditional retrieval over the item topics of --conditions FILE, the --cond-* settings, one value each; with "
            + "--cond-implicit-share above 0 merged with the kNN-Embed mixture of --clusters, --components, --neighbors, --lambda) or mmr (the single vector's "
            + "ranking re-ranked by MMR, --mmr-lambda, --mmr-pool; with --interest-weight above 0 multi-interest MMR over the kNN-Embed mixtures). "
            + "Which to take: quota serves cheapest but recalls less than unimodal on most graphs; history-mmr kept unimodal's Recall@50 with at least "
            + "1.1x its diversity on most graphs measured and fell a little short of one or the other on the rest (docs/results.md counts them; README, "
            + "\"Which retriever\"; evaluate measures them all on your data).");
        var historyVector = Opt.Choice("--history-vector", RetrieverDefaults.HistoryVector, HistoryVectorName,
            "How a user the model was not trained on is read from its history (recommend --history, Recommend(user, history)): fold-in (the "
            + "implicit-ALS vector of that history, solved against the item vectors; on vectors of another algorithm, with the objective fitted to the "
            + "trained users' vectors), mean (of its items' vectors), encoder (with --divide-conquer: the model's own query of the history) or auto "
            + "(fold-in when the embedding is implicit ALS or divide-and-conquer, else mean). Round robin takes auto or mean; history-mmr and fused always fold in.",
            [HistoryVector.Auto, HistoryVector.Mean, HistoryVector.FoldIn, HistoryVector.Encoder]);
        var history = new HistoryRowFlags();
        var dcm = new DcmFlags.Flags();
        var mixtureEmbedding = new MixtureRows.Flags();
        var conditional = new ConditionalFlags.Flags(stage: true);
        var mmr = new MmrStageFlags();
        var divideConquer = new DivideConquerFlags.Flags();
        FitDivideConquer.Describe(divideConquer);
        var command = new Command("fit", "Fits a retrieval pipeline of ML.NET estimators (history-interest MMR by default; --retriever quota, unimodal, round-robin, fused, conditional or mmr) on an edge file and saves it with mlContext.Model.Save.")
            .With([train, model, candidates, retriever, historyVector, weights, previous, previousIterations, .. run.All, .. embedding.All, .. pipeline.All, .. quotaStage.All, .. neighborIndex.All, .. history.All, .. dcm.Fit, .. mixtureEmbedding.Fit,
                .. conditional.Stage, .. mmr.All, .. divideConquer.All]);
        FitWording.Apply(command);
        // Since 1.3.0 fit's default pipeline has no kNN-Embed stage: the help names the retrievers that read these flags
        // (the others refuse them), rather than list "--clusters ... [default: 2000]" as if every fit clustered.
        foreach (var option in pipeline.All.Except([pipeline.Alpha]).Concat(neighborIndex.All))
            option.Description = $"kNN-Embed ({KnnEmbedReaders}): {option.Description}";
        pipeline.Alpha.Description = pipeline.Alpha.Description!.Replace("Quota exponent: ", "The quota stage (--retriever quota): the quota exponent, ", StringComparison.Ordinal);
        quotaStage.HeadShare.Description = quotaStage.HeadShare.Description!.Replace("The quota stage: ", "The quota stage (--retriever quota): ", StringComparison.Ordinal);
        foreach (var option in new Option[] { quotaStage.Query, quotaStage.Beta })
            option.Description = option.Description!.Replace("The quota stage: ", "The quota stage (--retriever quota; conditional with --cond-implicit-share above 0): ", StringComparison.Ordinal);
        command.SetAction(r =>
        {
            int threads = r.Value(run.Threads), seed = r.Value(run.Seed);
            var engine = embedding.Read(r, seed, threads);
            var stage = r.Value(retriever);
            // --divide-conquer: the model of the --dc-* options replaces --algorithm's single vector.
            var dividedConquered = FitDivideConquer.Read(r, divideConquer, stage, embedding.All, pipeline.Clusters, seed, threads);
            if (dividedConquered != null) engine = dividedConquered;
            if (stage != FitRetriever.RoundRobin && (r.GetValue(dcm.On) || r.GetValue(mixtureEmbedding.On)))
                throw new UsageException("--dcm and --mixture-embeddings train the model of --retriever round-robin (fused trains its own DCM model from the --dcm-* settings); add it, or leave them out.");
            // Before any file is read: a stray flag is a usage error, whatever the data.
            // --query and --beta also set the implicit components' query of a conditional stage merged with them.
            var allowed = stage == FitRetriever.Quota ? quotaStage.All.Select(o => o.Name)
                : stage == FitRetriever.Conditional ? [quotaStage.Query.Name, quotaStage.Beta.Name] : [];
            if (quotaStage.Given(r).Except(allowed).FirstOrDefault() is { } stray)
                throw new UsageException($"{stray} sets the quota stage of --retriever quota, which this fit ({StageName(r, retriever)}) does not train: {(r.Given(retriever) ? "add --retriever quota, or leave it out" : QuotaAdvice(r, retriever))}.");
            if (stage != FitRetriever.Mmr && mmr.Given(r).FirstOrDefault() is { } strayMmr)
                throw new UsageException($"{strayMmr} sets the stage of --retriever mmr, which this fit ({StageName(r, retriever)}) does not train: leave it out.");
            if (r.Given(previous)) WarmStartOption.CheckUsage(engine.Algorithm, learnedModel: stage == FitRetriever.RoundRobin);
            else if (r.Given(previousIterations)) throw new UsageException($"{WarmStartOption.IterationsName} sets the fit that {WarmStartOption.Name} starts: add it, or leave it out.");
            var trainer = GraphEmbeddingTrainer.Options.FromEngine(stage == FitRetriever.RoundRobin ? LearnedModel(r, dcm, mixtureEmbedding, seed, threads) : engine);
            trainer.Als.WarmStartIterations = r.Value(previousIterations);
            // --weights: every GraphEmbedding of the pipeline (the warm start's and fused's DCM too) reads the rows' weights; no other stage does.
            string? weightColumn = r.GetValue(weights) ? ServingData.WeightColumn : null;
            trainer.WeightColumnName = weightColumn;
            // A history stage whose lambda is to be chosen reads Auto's own hold-out (FitChoosingLambda); other algorithms ignore this.
            trainer.KeepHoldout = stage is FitRetriever.HistoryMmr or FitRetriever.Fused && !r.Given(history.Lambda);
            var clustering = pipeline.Clustering(r, seed, threads);
            var kmeans = new SphericalKMeansTrainer.Options { NumberOfClusters = clustering.Clusters, MaxIterations = clustering.MaxIterations, Tolerance = clustering.Tolerance, Seed = seed, Threads = threads };
            // A divide-and-conquer model's own clusters, which its mixtures for new users name.
            if (dividedConquered != null) (kmeans.NumberOfClusters, kmeans.DivideConquerClusters) = (dividedConquered.DivideConquer.Clusters, true);
            var index = neighborIndex.Read(r);
            var mixture = new KnnSmoothedMixtureEstimator.Options
            {
                Components = r.Value(pipeline.Components),
                Neighbors = r.Value(pipeline.Neighbors),
                Lambda = r.Value(pipeline.Lambda),
                NeighborIndex = index.Kind,
                NeighborLists = index.Lists,
                NeighborProbes = index.Probes,
                NeighborSeed = seed,
                Threads = threads,
            };
            // The other stages' settings, given to a stage that reads none of them, would be ignored without a word.
            bool dcmModel = stage == FitRetriever.Fused || (stage == FitRetriever.RoundRobin && r.GetValue(dcm.On));
            bool mixtureModel = stage == FitRetriever.RoundRobin && r.GetValue(mixtureEmbedding.On);
            (IEnumerable<Option> Options, bool Read, string Owner)[] groups =
            [
                (conditional.Stage, stage == FitRetriever.Conditional, "--retriever conditional"),
                (history.All, stage is FitRetriever.HistoryMmr or FitRetriever.Fused, "--retriever history-mmr (and fused)"),
                (dcm.Fit.Except([dcm.On]), dcmModel, "the DCM model of --retriever round-robin --dcm (and fused)"),
                (mixtureEmbedding.Fit.Except([mixtureEmbedding.On]), mixtureModel, "the mixture embeddings of --retriever round-robin --mixture-embeddings"),
                // A learned model trains from scratch unless DCM is warm-started from the single vector these options set.
                (embedding.All, stage != FitRetriever.RoundRobin || (dcmModel && r.GetValue(dcm.WarmStart)), "the single vector (round robin reads it only with --dcm --dcm-warm-start)"),
            ];
            foreach (var (options, read, owner) in groups)
                if (!read && options.FirstOrDefault(r.Given) is { } strayOption)
                    throw new UsageException($"{strayOption.Name} sets {owner}, which this fit ({StageName(r, retriever)}"
                        + $"{(dcmModel && stage == FitRetriever.RoundRobin ? " --dcm" : mixtureModel ? " --mixture-embeddings" : "")}) does not train: leave it out.");
            var quota = new ClusterQuotaRetrieverEstimator.Options
            {
                Candidates = r.Value(candidates),
                Alpha = r.Value(pipeline.Alpha),
                Query = r.Value(quotaStage.Query),
                Beta = r.Value(quotaStage.Beta),
                HeadShare = r.Value(quotaStage.HeadShare),
                Threads = threads,
            };
            // Only the chosen stage's options are read, so a bad --history-* value fails only where it is used.
            var last = stage switch
            {
                FitRetriever.Unimodal => new Stages { Unimodal = new UnimodalRetrieverEstimator.Options { Candidates = r.Value(candidates), Threads = threads } },
                FitRetriever.HistoryMmr or FitRetriever.Fused => new Stages
                {
                    HistoryMmr = history.Stage(r, r.Value(candidates), threads),
                    // Without --history-mmr-lambda the stage's lambda is chosen for these edges on a hold-out, as evaluate does.
                    HistorySelection = r.Given(history.Lambda) ? null : new HistorySelection(history.Read(r)!, history.Given(r), engine, r.Value(history.LeadErrors)),
                    Fusion = stage == FitRetriever.Fused
                        ? new FusedDcm(dcm.Read(r, seed, threads, warmStarted: true)!, r.Value(dcm.FusionWeight), r.Value(candidates), threads, weightColumn) : null,
                },
                FitRetriever.RoundRobin => new Stages { RoundRobin = new RoundRobinRetrieverEstimator.Options { Candidates = r.Value(candidates), Threads = threads } },
                FitRetriever.Mmr => Stages.ForMmr(mmr.Read(r, r.Value(candidates), threads), kmeans, mixture),
                FitRetriever.Conditional => Stages.ForConditional(conditional.ReadStage(r, r.Value(candidates), seed, threads, r.Value(quotaStage.Query), r.Value(quotaStage.Beta)),
                    kmeans, mixture),
                _ => new Stages { KMeans = kmeans, Mixture = mixture, Quota = quota },
            };
            // The kNN-Embed flags set stages that only quota, and mmr and conditional with an interest term, fit: to another
            // pipeline they would be ignored without a word.
            var strayPipeline = last.KMeans == null ? pipeline.All.Concat(neighborIndex.All).FirstOrDefault(r.Given)
                : last.Quota == null && r.Given(pipeline.Alpha) ? pipeline.Alpha : null;
            if (strayPipeline != null)
                throw new UsageException($"{strayPipeline.Name} sets the kNN-Embed {(strayPipeline == pipeline.Alpha ? "quotas of --retriever quota" : $"clusters and mixtures ({KnnEmbedReaders})")}, "
                    + $"which this fit ({StageName(r, retriever)}) does not train: {QuotaAdvice(r, retriever)}.");
            var readHistories = r.Value(historyVector);
            if (readHistories == HistoryVector.Encoder && dividedConquered == null)
                throw new UsageException("--history-vector encoder reads a new user's history by a divide-and-conquer model's encoder: add --divide-conquer (with --retriever quota, unimodal, mmr or conditional), or use auto, mean or fold-in.");
            if (readHistories == HistoryVector.FoldIn && stage == FitRetriever.RoundRobin)
                throw new UsageException("--history-vector fold-in: round robin reads a new user's history by its learned components; use auto or mean.");
            if (readHistories == HistoryVector.Mean && stage is FitRetriever.HistoryMmr or FitRetriever.Fused)
                throw new UsageException($"--history-vector mean: this fit ({StageName(r, retriever)}) reads every history by its fold-in; use auto or fold-in"
                    + (r.Given(retriever) ? "." : ", or add --retriever quota (fit's default before 1.3.0), which reads the mean."));
            last.SetHistoryVector(readHistories);
            last.DivideConquer = dividedConquered != null;
            string trainPath = r.Value(train)!, modelPath = r.Value(model)!;
            string? previousPath = r.Value(previous);
            // --dcm-warm-start: the single vector of --algorithm is fitted first, and its item table starts DCM's.
            var warmStart = stage == FitRetriever.RoundRobin && r.GetValue(dcm.WarmStart) ? GraphEmbeddingTrainer.Options.FromEngine(engine) : null;
            if (warmStart != null) warmStart.WeightColumnName = weightColumn;
            if (r.GetValue(dcm.WarmStart) && (stage != FitRetriever.RoundRobin || !r.GetValue(dcm.On)))
                throw new UsageException("--dcm-warm-start starts the item vectors of --retriever round-robin --dcm: add them, or leave it out.");
            // The command line first, then the inputs, then the output (whose check makes its folder).
            Opt.CheckInputFiles(r);
            OutputFile.CheckNotOverwriting(Opt.InputFiles(r), ("--model", modelPath));
            OutputFile.CheckWritable(modelPath, "--model");
            // The model's K clusters are the quota stage's whatever the catalogue's size (not capped as --clusters' default is).
            bool clustersGiven = r.Given(pipeline.Clusters) || dividedConquered != null;
            string? unreadDimension = embedding.UnreadDimension(r);
            // The library's warnings about an option's value on the training file (Dimension above min(users, items), Components
            // above the clusters, Candidates above the items) name the option in their source; said with the flag that set it.
            // Dimension is --dim's: the library warns of it for implicit ALS and negative sampling only, whose dimension --dim sets.
            var optionFlags = new Dictionary<string, string>
            {
                [nameof(GraphEmbeddingOptions.Dimension)] = dividedConquered != null ? divideConquer.Dim.Name : embedding.Dimension.Name,
                [nameof(KnnSmoothedMixtureEstimator.Options.Components)] = pipeline.Components.Name,
                [nameof(UnimodalRetrieverEstimator.Options.Candidates)] = candidates.Name,
                [nameof(KnnSmoothedMixtureEstimator.Options.Neighbors)] = pipeline.Neighbors.Name,
            };
            // The hold-out flag of the pipeline's embedding when it is a learned model (fused's own DCM is named where it fits).
            string? learnedHoldOutFlag = dividedConquered != null ? DivideConquerFlags.Flags.ValidationFractionFlag
                : stage == FitRetriever.RoundRobin && r.GetValue(dcm.On) ? DcmFlags.Flags.ValidationFractionFlag
                : mixtureModel ? MixtureRows.Flags.ValidationFractionFlag : null;
            // Warnings the command gives itself, in its own names: the weights' (WeightedTrainingChecks) and an unread --dim's.
            var saidByTheCommand = new HashSet<string>(StringComparer.Ordinal) { nameof(GraphEmbeddingTrainer.Options.WeightColumnName) };
            if (unreadDimension != null) saidByTheCommand.Add(nameof(GraphEmbeddingOptions.Dimension));
            return ProgressReporter.Run(console, progress =>
            {
                if (unreadDimension != null) progress.Warnings.WriteLine(unreadDimension);
                try
                {
                    return Run(trainPath, modelPath, seed, trainer, last, clustersGiven, r.Given(embedding.ValidationK), progress, optionFlags, saidByTheCommand,
                        learnedHoldOutFlag, warmStart, previousPath);
                }
                catch (ArgumentException e) when (embedding.ByFlag(e, r) is { } usage)
                {
                    // A dimension the training file cannot give, by --dim rather than the library's option name.
                    throw usage;
                }
            });
        });
        return command;
    }

    /// <summary>The learned multi-vector model of <c>--retriever round-robin</c>: exactly one of --dcm and --mixture-embeddings.</summary>
    private static GraphEmbeddingOptions LearnedModel(ParseResult r, DcmFlags.Flags dcm, MixtureRows.Flags mixture, int seed, int threads)
    {
        var dcmOptions = dcm.Read(r, seed, threads);
        var mixtureOptions = mixture.Read(r, seed, threads, control: false)?.Mixture;
        if ((dcmOptions == null) == (mixtureOptions == null))
            throw new UsageException("--retriever round-robin serves a learned multi-vector model: give exactly one of --dcm and --mixture-embeddings (their --dcm-* / --mix-* options set it).");
        return dcmOptions ?? mixtureOptions!;
    }

    /// <summary>The stages after the embedding: the kNN-Embed chain (k-means, mixture, quota), or one retriever.</summary>
    private sealed class Stages
    {
        public SphericalKMeansTrainer.Options? KMeans { get; init; }

        public KnnSmoothedMixtureEstimator.Options? Mixture { get; init; }

        public ClusterQuotaRetrieverEstimator.Options? Quota { get; init; }

        public UnimodalRetrieverEstimator.Options? Unimodal { get; init; }

        public MmrRetrieverEstimator.Options? HistoryMmr { get; init; }

        /// <summary>MMR over the unimodal ranking (<c>--retriever mmr</c>), after the kNN-Embed stages when it has the interest term.</summary>
        public MmrRetrieverEstimator.Options? Mmr { get; init; }

        public RoundRobinRetrieverEstimator.Options? RoundRobin { get; init; }

        public ConditionalRetrieverEstimator.Options? Conditional { get; init; }

        /// <summary>The conditional stage, after the kNN-Embed clusters and mixtures when it merges them (<c>--cond-implicit-share</c> &gt; 0).</summary>
        public static Stages ForConditional((ConditionalRetrieverEstimator.Options Options, string Path) stage, SphericalKMeansTrainer.Options kmeans,
            KnnSmoothedMixtureEstimator.Options mixture) =>
            stage.Options.ImplicitShare > 0
                ? new() { Conditional = stage.Options, ConditionsPath = stage.Path, KMeans = kmeans, Mixture = mixture }
                : new() { Conditional = stage.Options, ConditionsPath = stage.Path };

        /// <summary>The MMR stage, after the kNN-Embed clusters and mixtures when its interest term reads them (<c>--interest-weight</c> &gt; 0).</summary>
        public static Stages ForMmr(MmrRetrieverEstimator.Options mmr, SphericalKMeansTrainer.Options kmeans, KnnSmoothedMixtureEstimator.Options mixture) =>
            mmr.InterestWeight > 0 ? new() { Mmr = mmr, KMeans = kmeans, Mixture = mixture } : new() { Mmr = mmr };

        /// <summary>The item conditions of <see cref="Conditional"/>: an <c>item&lt;TAB&gt;condition</c> file, looked up inside the pipeline.</summary>
        public string? ConditionsPath { get; init; }

        /// <summary>When set, <see cref="HistoryMmr"/>'s lambda is chosen on a hold-out after the embedding stage is fitted.</summary>
        public HistorySelection? HistorySelection { get; init; }

        /// <summary>When set, the warm-started DCM round robin fused with <see cref="HistoryMmr"/>'s list (<c>--retriever fused</c>).</summary>
        public FusedDcm? Fusion { get; init; }

        /// <summary>Whether the embedding is a divide-and-conquer model (<c>--divide-conquer</c>), said in <see cref="Description"/>.</summary>
        public bool DivideConquer { get; set; }

        public string Description => DivideConquer ? (Unimodal != null ? "the divide-and-conquer unimodal pipeline"
                : Mmr != null ? (KMeans != null ? "the divide-and-conquer multi-interest MMR pipeline" : "the divide-and-conquer MMR pipeline")
                : Conditional != null ? "the divide-and-conquer conditional pipeline"
                : "the divide-and-conquer cluster-quota pipeline")
            : Unimodal != null ? "the unimodal pipeline" : Fusion != null ? "the fused history-interest MMR + DCM pipeline"
            : Mmr != null ? (KMeans != null ? "the multi-interest MMR pipeline" : "the MMR pipeline")
            : HistoryMmr != null ? "the history-interest MMR pipeline"
            : RoundRobin != null ? "the round-robin pipeline" : Conditional != null ? "the conditional pipeline" : "the kNN-Embed pipeline";

        /// <summary>Sets how the retrieval stage reads a new user's history (<c>--history-vector</c>).</summary>
        public void SetHistoryVector(HistoryVector value)
        {
            foreach (var options in new RetrieverOptions?[] { Quota, Unimodal, HistoryMmr, Mmr, RoundRobin, Conditional })
                if (options != null) options.HistoryVector = value;
        }

        public EstimatorChain<CandidateRetrievalTransformer> Append(EstimatorChain<ITransformer> chain, MultiInterestCatalog mi)
        {
            if (Unimodal != null) return chain.Append(mi.UnimodalRetriever(Unimodal));
            if (HistoryMmr != null) return chain.Append(mi.MmrRetriever(HistoryMmr));
            if (RoundRobin != null) return chain.Append(mi.RoundRobinRetriever(RoundRobin));
            if (Mmr != null && KMeans == null) return chain.Append(mi.MmrRetriever(Mmr));
            if (Mmr != null) return chain.Append(mi.SphericalKMeans(KMeans!)).Append(mi.KnnSmoothedMixture(Mixture!)).Append(mi.MmrRetriever(Mmr));
            if (Conditional != null && KMeans == null) return chain.Append(mi.ConditionalRetriever(Conditional));
            if (Conditional != null) return chain.Append(mi.SphericalKMeans(KMeans!)).Append(mi.KnnSmoothedMixture(Mixture!)).Append(mi.ConditionalRetriever(Conditional));
            return chain.Append(mi.SphericalKMeans(KMeans!)).Append(mi.KnnSmoothedMixture(Mixture!)).Append(mi.ClusterQuotaRetriever(Quota!));
        }
    }

    /// <summary>
    /// The DCM model of <c>--retriever fused</c> (warm-start settings), the history list's fusion weight w, M, threads and the
    /// edge weight column its GraphEmbedding reads (<c>--weights</c>; null: none).
    /// </summary>
    private sealed record FusedDcm(GraphEmbeddingOptions Dcm, double Weight, int Candidates, int Threads, string? WeightColumn)
    {
        /// <summary>
        /// Appends to <paramref name="model"/> (ending in history-interest MMR over a single vector) a DCM model whose item vectors
        /// start from that vector's, its round robin, and their fusion with the MMR list.
        /// </summary>
        public TransformerChain<ITransformer> Fit(MLContext ml, ITransformer model, IDataView data)
        {
            var mi = ml.MultiInterest();
            var dcm = GraphEmbeddingTrainer.Options.FromEngine(Dcm);
            dcm.InitialItemsColumnName = MultiInterestColumnNames.ItemEmbedding;
            dcm.WeightColumnName = WeightColumn;
            var rest = ml.Transforms.CopyColumns(HistoryMmrCandidates, MultiInterestColumnNames.Candidates)
                .Append(mi.GraphEmbedding(dcm))
                .Append(mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { Candidates = Candidates, Threads = Threads }))
                .Append(mi.RankFusion(new RankFusionEstimator.Options
                {
                    SourceColumnNames = [HistoryMmrCandidates, MultiInterestColumnNames.Candidates], Weights = [Weight, 1 - Weight], Candidates = Candidates,
                }))
                .Fit(model.Transform(data));
            return new TransformerChain<ITransformer>(model, rest);
        }
    }

    /// <summary>The history row's selection inputs: its settings, which fold-in flags were given, the embedding options and the rule's lead errors.</summary>
    private sealed record HistorySelection(HistoryMmrRowSettings Row, (bool Regularization, bool UnobservedWeight) FoldInGiven, GraphEmbeddingOptions Embedding,
        double LeadErrors);

    /// <summary>
    /// Fits the embedding stage, chooses the history-interest MMR lambda on a hold-out of the same edges with the same
    /// concrete embedding settings (Auto's choice, not a new one), then fits the MMR stage with it.
    /// </summary>
    private static TransformerChain<CandidateRetrievalTransformer> FitChoosingLambda(MultiInterestCatalog mi, EstimatorChain<ITransformer> embedded, IDataView data,
        IReadOnlyList<RawEdge> edges, string trainPath, bool weighted, int seed, MmrRetrieverEstimator.Options stage, HistorySelection selection, ProgressReporter progress)
    {
        var embeddingModel = embedded.Fit(data);
        var vectors = (GraphEmbeddingTransformer)embeddingModel.LastTransformer;
        var row = selection.Row;
        HistoryRowFlags.MatchFittedAls(row, vectors.Als, selection.FoldInGiven);
        if (vectors.Holdout is { } holdout)
        {
            // Auto's own hold-out and chosen vectors, as evaluate uses them: no second fit.
            Apply(HistoryLambdaStep.Choose(row, seed, stage.Threads, progress, options => HistoryMmrLambdaSelection.Choose(holdout, row, options), poolSize: stage.PoolSize, listLength: stage.Candidates,
                recallLeadErrors: selection.LeadErrors));
        }
        else
        {
            // Under --weights the hold-out's vectors train on the weights, as the stage's do.
            var graph = Microsoft.ML.MultiInterest.Data.GraphData.Build(edges, new IdMap(), new IdMap(), extendIds: true, trainPath, useWeights: weighted);
            var embedding = vectors.ChosenOptions ?? selection.Embedding;
            string? reason = embedding.Algorithm == EmbeddingAlgorithm.Auto ? HistoryLambdaStep.AutoChoseNothing : HistoryLambdaStep.NoHoldout(graph, seed);
            if (reason != null)
                progress.Out.WriteLine($"  history_mmr lambda: the default {Opt.Text(stage.Lambda)} ({reason}; --history-mmr-lambda sets it).");
            else
                Apply(HistoryLambdaStep.Choose(row, seed, stage.Threads, progress, options => HistoryMmrLambdaSelection.Choose(graph, embedding, row, options), poolSize: stage.PoolSize, listLength: stage.Candidates,
                recallLeadErrors: selection.LeadErrors));
        }
        return embeddingModel.Append(mi.MmrRetriever(stage).Fit(embeddingModel.Transform(data)));

        // The chosen lambda and pool (the list's own length when re-ordering the stage's own top M was chosen).
        void Apply(HistoryMmrLambdaChoice choice)
        {
            stage.Lambda = choice.Lambda;
            stage.PoolSize = choice.PoolFor(stage.Candidates);
            stage.PoolSearch = choice.PoolSearchFor(stage.PoolSearch);
        }
    }

    /// <summary>What the summary line adds under <c>--weights</c>: where a reader of the saved model sees it.</summary>
    private const string WeightedSummary = $" (the embedding trained on their weights, {WeightsOption.Name}: the model's input schema holds the {ServingData.WeightColumn} column)";

    private static int Run(string train, string modelPath, int seed, GraphEmbeddingTrainer.Options embedding, Stages stages, bool clustersGiven, bool validationCutoffGiven, ProgressReporter progress,
        IReadOnlyDictionary<string, string> optionFlags, IReadOnlySet<string> saidByTheCommand, string? learnedHoldOutFlag, GraphEmbeddingTrainer.Options? warmStart = null,
        string? previousModel = null)
    {
        var clock = Stopwatch.StartNew();
        // Read first: a zip without vectors, or of another dimension than an explicit --dim, fails before the edges are read.
        if (previousModel != null) embedding.WarmStart = WarmStartOption.Read(previousModel, embedding);
        var ml = new MLContext(seed);
        var rawEdges = EdgeFile.Read(train);
        bool weighted = embedding.WeightColumnName != null;
        TrainingFileChecks.Warn(rawEdges, train, "fit", progress.Warnings, weighted ? TrainingWeights.Trained : TrainingWeights.Unused);
        // Weights far apart or far from 1 are said here, once and in the file's names; the same warning of each GraphEmbedding
        // (a warm start's, fused's DCM) is not forwarded from the log.
        bool repeatsSaid = weighted && WeightedTrainingChecks.Warn(rawEdges, train, progress.Warnings);
        // The graph holds each (user, item) pair once: the pairs are what is fitted on, and repeated lines are said as evaluate says them.
        int pairs = rawEdges.Select(e => (e.User, e.Item)).Distinct().Count();
        if (!repeatsSaid) SplitChecks.Repeats(rawEdges.Count, pairs, train, progress.Warnings, weighted);
        int items = rawEdges.Select(e => e.Item).Distinct(StringComparer.Ordinal).Count();
        if (validationCutoffGiven) ValidationKBound.Check(items, train, embedding.ValidationCutoff, embedding.Algorithm, embedding.ValidationFraction);
        if (stages.KMeans is { } kmeans) kmeans.NumberOfClusters = DefaultClusters.For(items, kmeans.NumberOfClusters, clustersGiven, progress.Warnings);
        var data = ServingData.TrainingRows(ml, rawEdges, weighted);
        var mi = ml.MultiInterest();
        var keys = (stages.ConditionsPath == null ? new EstimatorChain<ITransformer>() : ConditionLookup.Keys(ml, stages.ConditionsPath, rawEdges.Select(e => e.Item).ToHashSet(StringComparer.Ordinal), progress))
            .Append(ml.Transforms.Conversion.MapValueToKey(ServingData.UserColumn)).Append(ml.Transforms.Conversion.MapValueToKey(ServingData.ItemColumn));
        if (warmStart != null)
        {
            EmbeddingMatrix start;
            using (progress.Begin($"Fitting the single vector that starts DCM's item vectors ({warmStart.Algorithm}) on {Counted.Of(pairs, "edge")}..."))
                start = keys.Append(mi.GraphEmbedding(warmStart)).Fit(data).LastTransformer.ItemEmbeddings.ToDense();
            embedding.Dimension = start.Dimension;
            embedding.Dcm.InitialItems = start;
        }
        var embedded = keys.Append<ITransformer>(mi.GraphEmbedding(embedding));
        var pipeline = stages.Append(embedded, mi);
        ITransformer model;
        using (var stage = progress.Begin($"Fitting {stages.Description} on {Counted.Of(pairs, "edge")}..."))
        // The library's estimators report their stages (epochs, clusters, neighbours) and warnings through the MLContext log.
        using (LibraryLog.Show(ml, Components, stage, info: true, optionFlags, saidByTheCommand))
        {
            // A learned model's hold-out that cannot choose its epochs is said by that model's flag, where it fits; a single
            // vector's (a warm start's, fused's) goes to --validation-k (EmbeddingFlags.ByFlag).
            model = LearnedHoldOut.Run(learnedHoldOutFlag, () => stages.HistorySelection is { } selection
                ? FitChoosingLambda(mi, embedded, data, rawEdges, train, weighted, seed, stages.HistoryMmr!, selection, progress)
                : pipeline.Fit(data));
            if (stages.Fusion is { } fusion) model = LearnedHoldOut.Run(DcmFlags.Flags.ValidationFractionFlag, () => fusion.Fit(ml, model, data));
        }
        double fitSeconds = clock.Elapsed.TotalSeconds;
        string warmSummary = previousModel == null ? "" : WarmStartOption.Summary(WarmStartOption.FirstEmbedding(model)?.WarmStart, previousModel);
        clock.Restart();
        // Opened for writing only (Model.Save(path) opens it read-write, which on a pipe such as /dev/stdout keeps a reader of
        // the process's own: a reader that went away left the save blocked for ever).
        bool replaced = OutputFile.WriteReplacing(modelPath, path =>
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
            ml.Model.Save(model, data.Schema, stream);
        });
        progress.Out.WriteLine($"Fitted {stages.Description} on {Counted.Of(pairs, "edge")}{(pairs < rawEdges.Count ? $" (of {rawEdges.Count:N0} lines)" : "")}{(weighted ? WeightedSummary : "")} in {fitSeconds:F1} s{warmSummary}; saved {new FileInfo(modelPath).Length / 1e6:F1} MB to {modelPath}"
            + $"{(replaced ? " (replacing the file there)" : "")} in {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }
}
