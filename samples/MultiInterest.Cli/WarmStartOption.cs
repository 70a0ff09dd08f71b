using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit --warm-start PREVIOUS.zip</c>: the implicit-ALS item vectors start from a previous model's, matched by item id
/// (<see cref="GraphEmbeddingTrainer.Options.WarmStart"/>), so a daily refit lands near yesterday's lists.
/// </summary>
internal static class WarmStartOption
{
    public const string Name = "--warm-start";

    /// <summary>The option: an input file, so a missing zip fails before the fit.</summary>
    public static CliOption<string?> Create() => Opt.InputFile(Name,
        "A previous model zip (fit's, e.g. yesterday's) whose item vectors start this fit's implicit ALS, matched by item id; items it does not "
        + "know start from their random draw. Needs --algorithm auto (applied when Auto chooses implicit ALS at the previous model's dimension; "
        + "its choice is made as without the start) or implicit-als at that --dim. With a fixed iteration count (implicit-als, or "
        + "--warm-start-iterations) the same edges in another line order then give the same vectors to rounding (docs/persistence.md, "
        + "\"Refitting on new data\").", helpName: "PREVIOUS.zip");

    public const string IterationsName = "--warm-start-iterations";

    /// <summary>The iterations of a warm-started fit (<see cref="Microsoft.ML.MultiInterest.Engine.ImplicitAlsOptions.WarmStartIterations"/>).</summary>
    public static CliOption<int> CreateIterations() => Opt.Int(IterationsName, 0,
        $"With {Name}: implicit-ALS iterations of the warm-started fit, instead of --als-iterations (under --algorithm auto: instead of the count Auto "
        + "chose from a cold start); 0 runs those. Fewer keep the lists closer to the previous model's: on cit-HepPh 3 kept unchanged users' top-50 "
        + "lists at a Jaccard of 0.86 against 0.76 for 9, at the same Recall@50.", min: 0, max: 10_000);

    /// <summary>Refuses the fits the start cannot apply to, before any file is read.</summary>
    public static void CheckUsage(EmbeddingAlgorithm algorithm, bool learnedModel)
    {
        if (learnedModel)
            throw new UsageException($"{Name} starts the single vector's implicit ALS; --retriever round-robin trains a learned multi-vector model from scratch: leave it out.");
        if (algorithm is not (EmbeddingAlgorithm.Auto or EmbeddingAlgorithm.ImplicitAls))
            throw new UsageException($"{Name} starts implicit ALS, but --algorithm is {EmbeddingFlags.Name(algorithm)}: use auto or implicit-als, or leave it out.");
    }

    /// <summary>The previous model's item vectors by id, checked against an explicit implicit-ALS dimension.</summary>
    /// <exception cref="InvalidDataException">The zip holds no embedding stage.</exception>
    /// <exception cref="ArgumentException">An explicit implicit-ALS fit has another dimension than the zip's vectors.</exception>
    public static ItemWarmStart Read(string path, GraphEmbeddingTrainer.Options embedding)
    {
        // A context of its own: loading through the fit's context would draw from its seeds and change the fit.
        using var model = MultiInterestModel.Load(new MLContext(seed: 1), path);
        var saved = model.GraphEmbedding ?? throw new InvalidDataException($"{Name} {path}: the model has no GraphEmbedding stage to start from.");
        var start = ItemWarmStart.From(saved);
        if (embedding.Algorithm == EmbeddingAlgorithm.ImplicitAls && embedding.Dimension != start.Dimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{Name} {path} holds item vectors of d = {start.Dimension}, but --dim is {embedding.Dimension}: give --dim {start.Dimension}, or --algorithm auto."));
        return start;
    }

    /// <summary>The summary line's clause: how many items started from the previous model and how many were new, or why it was not applied.</summary>
    public static string Summary(ItemWarmStartOutcome? outcome, string path) => outcome switch
    {
        null => "",
        { Applied: true } => $"; {Counted.Of(outcome.StartedItems, "item")} started from {path}, {outcome.NewItems.ToString("N0", CultureInfo.InvariantCulture)} new",
        // The reason is a sentence (for the log's warning); in the line's parentheses it ends without its full stop.
        _ => $"; {path} not applied ({outcome.NotAppliedReason!.TrimEnd('.')})",
    };

    /// <summary>The first embedding stage of a fitted chain (the one the warm start starts).</summary>
    public static GraphEmbeddingTransformer? FirstEmbedding(ITransformer model) => model switch
    {
        GraphEmbeddingTransformer embedding => embedding,
        IEnumerable<ITransformer> chain => chain.Select(FirstEmbedding).FirstOrDefault(e => e != null),
        _ => null,
    };
}
