using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>Everything one run of <c>reproduce</c> or <c>evaluate</c> needs, read from the command line.</summary>
internal sealed class ExperimentSettings
{
    public required string Dataset { get; init; }
    public required string TrainPath { get; init; }
    public required string TestPath { get; init; }
    public string? OutDirectory { get; init; }
    public bool Export { get; init; }

    /// <summary>Users whose kNN-Embed mixture is drawn (mixture_USER.png) when <see cref="OutDirectory"/> is set; 0 = none.</summary>
    public int PlotUsers { get; init; }
    public string? UserEmbeddingsPath { get; init; }
    public string? ItemEmbeddingsPath { get; init; }
    public string? ItemClustersPath { get; init; }
    public required GraphEmbeddingOptions Embedding { get; init; }

    /// <summary>Whether the embedding fits train on the training file's weights (<c>--weights</c>, evaluate only); every other step reads the edges unweighted.</summary>
    public bool Weights { get; init; }
    public required SphericalKMeansOptions Clustering { get; init; }
    public required ProtocolSettings Protocol { get; init; }
    public bool ShowPaper { get; init; }
    public required NeighborIndexOption NeighborIndex { get; init; }

    /// <summary>The learned-mixture rows (--mixture-embeddings), or null.</summary>
    public MixtureRows? MixtureRows { get; init; }

    /// <summary>The DCM row's training options (--dcm), or null.</summary>
    public GraphEmbeddingOptions? Dcm { get; init; }

    /// <summary>Weight exponents at which the DCM row is also reported (--dcm-weight-exponent-sweep), from the same model.</summary>
    public float[] DcmWeightExponentSweep { get; init; } = [];

    /// <summary>The lambdas of the DCM rows served by history-interest MMR (--dcm-mmr-lambdas); empty for none.</summary>
    public float[] DcmMmrLambdas { get; init; } = [];

    /// <summary>Whether the DCM row starts from the main table's item vectors (--dcm-warm-start).</summary>
    public bool DcmWarmStart { get; init; }

    /// <summary>w of the row fusing DCM's round robin with history-interest MMR, then the extra weights reported.</summary>
    public double[] DcmFusionWeights { get; init; } = [DcmDefaults.FusionWeight];

    /// <summary>The conditional-retrieval rows' settings (--conditional), or null.</summary>
    public ConditionalFlags.Settings? Conditional { get; init; }

    /// <summary>The divide-and-conquer row's settings (--divide-conquer), or null.</summary>
    public DivideConquerFlags.Row? DivideConquer { get; init; }

    /// <summary>Whether each learned row also gets a cluster-quota row (--learned-quotas).</summary>
    public bool LearnedQuotas { get; init; }

    /// <summary>--unseen miss|drop: how test edges of users or items unseen in training are scored (default miss).</summary>
    public UnseenHeldOut Unseen { get; init; } = EvaluationDefaults.Unseen;

    /// <summary>Clusters of the tuned row's own k-means (0 = the paper rows' clustering).</summary>
    public int TunedClusters { get; init; }

    /// <summary>Whether --tuned-clusters was given; the default is capped at the items quietly, a given count with a warning.</summary>
    public bool TunedClustersGiven { get; init; }

    /// <summary>Which of the history_mmr row's fold-in flags were given (the others follow a fitted implicit ALS).</summary>
    public (bool Regularization, bool UnobservedWeight) HistoryFoldInGiven { get; init; }

    /// <summary>Whether --history-mmr-lambda was given; if not, the run chooses it on a validation hold-out when it fits the vectors itself.</summary>
    public bool HistoryLambdaGiven { get; init; }

    /// <summary>The history row's lambda rule: standard errors a candidate changing Unimodal's items must lead it by (--history-mmr-lead-errors).</summary>
    public double HistoryLeadErrors { get; init; } = HistoryInterestDefaults.SelectionRecallLeadErrors;

    /// <summary>Whether --clusters was given; if not, the default is clamped to small catalogues instead of failing.</summary>
    public bool ClustersGiven { get; init; }

    /// <summary>Whether --validation-k was given; if so, a value the training file's items cannot tell candidates apart by is refused by flag.</summary>
    public bool ValidationCutoffGiven { get; init; }

    /// <summary>
    /// The options of <c>reproduce</c> and <c>evaluate</c>: output, given embeddings, --unseen, and the groups of the
    /// embedding, the pipeline stages, the neighbour index, the tuned, learned-mixture and DCM rows.
    /// </summary>
    internal sealed class Flags
    {
        public CliOption<string?> Out { get; } = Opt.Path("--out", "Directory for metrics.json, recall.png and mixture_USER.png (and the artefacts with --export, frontier.png with --frontier).", "DIR");

        public Option<bool> Export { get; } = Opt.Flag("--export", "Also write the embeddings, clusters, mixtures and candidates as TSV files, and the history row's hold-out choice user by user (history_mmr_selection_users.tsv) when it made one (needs --out).");

        public CliOption<int> PlotUsers { get; } = Opt.Int("--plot-users", MixturePlot.DefaultUsers,
            "With --out: draw the kNN-Embed mixture of this many test users (most training items, at least 2 components) as mixture_USER.png; 0 = none.", min: 0);

        public CliOption<string?> UserEmbeddings { get; } = Opt.InputFile("--user-embeddings", "Use these user vectors (id v0 v1 ...) instead of training; needs --item-embeddings.");

        public CliOption<string?> ItemEmbeddings { get; } = Opt.InputFile("--item-embeddings", "Use these item vectors instead of training; needs --user-embeddings.");

        public CliOption<string?> ItemClusters { get; } = Opt.InputFile("--item-clusters", "Use these item clusters (item cluster) instead of k-means; needs the given embeddings.");

        public CliOption<UnseenHeldOut> Unseen { get; } = UnseenOption.Create();

        public RunFlags Run { get; } = new();

        public EmbeddingFlags Embedding { get; } = new();

        public PipelineFlags Pipeline { get; } = new();

        public NeighborIndexOption.Flags NeighborIndex { get; } = new();

        public TunedRowFlags Tuned { get; } = new();

        public HistoryRowFlags History { get; } = new();

        public MixtureRows.Flags Mixture { get; } = new();

        public DcmFlags.Flags Dcm { get; } = new();

        public ConditionalFlags.Flags Conditional { get; } = new();

        public DivideConquerFlags.Flags DivideConquer { get; } = new();

        /// <summary>Every option of <c>reproduce</c> and <c>evaluate</c> but the data's.</summary>
        public IEnumerable<Option> All =>
        [
            Out, Export, PlotUsers, UserEmbeddings, ItemEmbeddings, ItemClusters, Unseen, .. Run.All, .. Embedding.All, .. Pipeline.All, .. NeighborIndex.All,
            .. Tuned.All, .. History.All, .. Mixture.All, .. Dcm.All, .. Conditional.All, .. DivideConquer.All,
        ];

        /// <summary>
        /// The run's settings; a combination that cannot work is a <see cref="UsageException"/>. <paramref name="weights"/>:
        /// <c>--weights</c> was given (evaluate's own flag; reproduce's data has no weights).
        /// </summary>
        public ExperimentSettings Read(ParseResult r, string dataset, string train, string test, bool showPaper, bool weights = false)
        {
            int threads = r.Value(Run.Threads), seed = r.Value(Run.Seed);
            var embedding = Embedding.Read(r, seed, threads);
            var protocol = new ProtocolSettings
            {
                Components = r.Value(Pipeline.Components),
                Neighbors = r.Value(Pipeline.Neighbors),
                Lambda = r.Value(Pipeline.Lambda),
                Alpha = r.Value(Pipeline.Alpha),
                MmrLambda = r.Value(Tuned.MmrRowLambda),
                MmrPoolSize = r.Value(Tuned.MmrRowPool),
                ReorderMmrLambda = r.Value(Tuned.ReorderMmrLambda) is var reorder && reorder >= 0 ? reorder : null,
                MultiInterest = Tuned.Read(r),
                HistoryMmr = History.Read(r),
                Frontier = r.GetValue(Tuned.Frontier),
                KnnRoundRobin = r.GetValue(Tuned.KnnRoundRobin),
                // The floor every row is read against: cheap (one ranking of the catalogue), so always measured.
                Popular = true,
                Threads = threads,
            };
            var settings = new ExperimentSettings
            {
                Dataset = dataset,
                TrainPath = train,
                TestPath = test,
                OutDirectory = r.Value(Out),
                Export = r.GetValue(Export),
                PlotUsers = r.Value(PlotUsers),
                UserEmbeddingsPath = r.Value(UserEmbeddings),
                ItemEmbeddingsPath = r.Value(ItemEmbeddings),
                ItemClustersPath = r.Value(ItemClusters),
                Embedding = embedding,
                Weights = weights,
                Clustering = Pipeline.Clustering(r, seed, threads),
                Protocol = protocol,
                ShowPaper = showPaper,
                NeighborIndex = NeighborIndex.Read(r),
                ClustersGiven = r.Given(Pipeline.Clusters),
                ValidationCutoffGiven = r.Given(Embedding.ValidationK),
                MixtureRows = Mixture.Read(r, seed, threads),
                Dcm = Dcm.Read(r, seed, threads),
                DcmWarmStart = r.GetValue(Dcm.WarmStart),
                DcmFusionWeights = [r.Value(Dcm.FusionWeight), .. r.Value(Dcm.FusionWeightSweep).Select(w => double.Parse(Opt.Text(w), System.Globalization.CultureInfo.InvariantCulture))],
                DcmWeightExponentSweep = r.Value(Dcm.WeightExponentSweep),
                DcmMmrLambdas = r.Value(Dcm.MmrLambdas),
                Conditional = Conditional.Read(r, seed),
                DivideConquer = DivideConquer.Read(r, seed, threads),
                LearnedQuotas = r.GetValue(Dcm.LearnedQuotas),
                Unseen = r.Value(Unseen),
                TunedClusters = r.Value(Tuned.TunedClusters),
                TunedClustersGiven = r.Given(Tuned.TunedClusters),
                HistoryFoldInGiven = History.Given(r),
                HistoryLambdaGiven = r.Given(History.Lambda),
                HistoryLeadErrors = r.Value(History.LeadErrors),
            };
            // The conditional rows merge the implicit components, embeddings and all; the mixture plots draw a few users'.
            protocol.KeepMixtureEmbeddings = settings.Conditional != null;
            protocol.MixtureSampleUsers = settings.OutDirectory != null ? settings.PlotUsers : 0;
            if ((settings.UserEmbeddingsPath == null) != (settings.ItemEmbeddingsPath == null))
                throw new UsageException("--user-embeddings and --item-embeddings go together.");
            if (settings.Weights && settings.UserEmbeddingsPath != null)
                throw new UsageException($"{WeightsOption.Name} trains the embeddings on the training file's weights, but --user-embeddings and --item-embeddings give them: leave one out.");
            if (settings.ItemClustersPath != null && settings.ItemEmbeddingsPath == null)
                throw new UsageException("--item-clusters needs --user-embeddings and --item-embeddings (cluster ids refer to those items).");
            if (settings.Export && settings.OutDirectory == null) throw new UsageException("--export needs --out DIR.");
            if (settings.DcmMmrLambdas.Length > 0 && settings.Dcm == null)
                throw new UsageException("--dcm-mmr-lambdas serves the DCM row's model: add --dcm, or leave it out.");
            if (settings.DcmWeightExponentSweep.Length > 0 && settings.Dcm is not { Dcm.WeightExponent: 1 })
                throw new UsageException("--dcm-weight-exponent-sweep re-weights the --dcm row's masses: add --dcm, with --dcm-weight-exponent 1 (the default).");
            if (settings.DcmWarmStart && settings.Dcm == null) throw new UsageException("--dcm-warm-start starts the --dcm row's item vectors: add --dcm, or leave it out.");
            // Any other setting of a row that does not run would be ignored without a word.
            (IEnumerable<Option> Settings, Option Row)[] rows =
            [
                (Dcm.All.Except([Dcm.On, Dcm.LearnedQuotas]), Dcm.On),
                (Mixture.All.Except([Mixture.On]), Mixture.On),
                (DivideConquer.All.Except([DivideConquer.On]), DivideConquer.On),
                (Conditional.Stage, Conditional.On),
            ];
            foreach (var (rowSettings, row) in rows)
                if (!r.GetValue((Option<bool>)row) && rowSettings.FirstOrDefault(r.Given) is { } stray)
                    throw new UsageException($"{stray.Name} sets the {row.Name} row, which this run does not add: add {row.Name}, or leave it out.");
            if (settings.LearnedQuotas && settings.Dcm == null && settings.MixtureRows == null)
                throw new UsageException("--learned-quotas serves the learned models' rows: add --dcm or --mixture-embeddings, or leave it out.");
            try
            {
                protocol.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw OptionErrors.Usage("Protocol", e, r, new Dictionary<string, Option>
                {
                    [nameof(ProtocolSettings.Components)] = Pipeline.Components,
                    [nameof(ProtocolSettings.Neighbors)] = Pipeline.Neighbors,
                    [nameof(ProtocolSettings.Lambda)] = Pipeline.Lambda,
                    [nameof(ProtocolSettings.Alpha)] = Pipeline.Alpha,
                    [nameof(ProtocolSettings.MmrLambda)] = Tuned.MmrRowLambda,
                    [nameof(ProtocolSettings.MmrPoolSize)] = Tuned.MmrRowPool,
                });
            }
            return settings;
        }
    }
}
