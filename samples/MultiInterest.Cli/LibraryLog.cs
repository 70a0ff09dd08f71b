using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.Runtime;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The library's messages in an <see cref="MLContext"/>'s log, shown while a stage runs (until disposed): the warnings of
/// the named components as kept lines, and with <c>info</c> their progress messages as the stage's status. fit shows both
/// for its estimators; sweep the warnings of Sweep, its trials reporting through their own progress. The library's edge-weight
/// warning and its warning of a dimension Auto does not read are left out: the command has given them in its own names.
/// A warning whose source names an option (<see cref="MultiInterestLog.OptionOf(LoggingEventArgs)"/>) the command set from a
/// flag is shown with that flag, read from the source rather than matched in the message's words.
/// </summary>
internal sealed class LibraryLog : IDisposable
{
    private readonly MLContext _ml;
    private readonly IReadOnlyList<string> _components;
    private readonly ProgressStage _stage;
    private readonly bool _info;
    private readonly IReadOnlyDictionary<string, string> _optionFlags;

    private LibraryLog(MLContext ml, IReadOnlyList<string> components, ProgressStage stage, bool info, IReadOnlyDictionary<string, string>? optionFlags)
    {
        (_ml, _components, _stage, _info, _optionFlags) = (ml, components, stage, info, optionFlags ?? new Dictionary<string, string>());
        ml.Log += Forward;
    }

    /// <summary>Shows the messages of <paramref name="components"/> (log sources starting with their names) on <paramref name="stage"/>.</summary>
    /// <param name="ml">The context the library logs to.</param>
    /// <param name="components">The components whose messages are shown.</param>
    /// <param name="stage">Where they go: warnings as <see cref="ProgressStage.Note"/>, progress as <see cref="ProgressStage.Update"/>.</param>
    /// <param name="info">Whether progress (info) messages are shown too.</param>
    /// <param name="optionFlags">
    /// The flag that set each library option (by option name): a warning about that option's value (whose source names it,
    /// <see cref="MultiInterestLog.OptionOf(LoggingEventArgs)"/>) is shown as "COMPONENT option NAME (from FLAG): message",
    /// as the command's usage errors name an option's flag.
    /// </param>
    public static LibraryLog Show(MLContext ml, IReadOnlyList<string> components, ProgressStage stage, bool info, IReadOnlyDictionary<string, string>? optionFlags = null) =>
        new(ml, components, stage, info, optionFlags);

    /// <summary>Stops showing the messages.</summary>
    public void Dispose() => _ml.Log -= Forward;

    /// <summary>
    /// How the library's warning of weights far apart or far from 1 starts (GraphEmbedding's and Sweep's): not shown, since
    /// every command that passes the library a weight column has given it already in the command line's names (the file, the
    /// edge's user and item, --weights; <see cref="WeightedTrainingChecks"/>), once, where the library names its own option
    /// and column and a row of its data view, and repeats it for each GraphEmbedding of a pipeline.
    /// </summary>
    private static readonly string[] SaidByTheCommand =
    [
        $"Column '{ServingData.WeightColumn}' (option {nameof(GraphEmbeddingTrainer.Options.WeightColumnName)}): ",
        $"Column '{ServingData.WeightColumn}' (option weightColumnName): ",
    ];

    /// <summary>
    /// What the library's warning of a dimension Auto does not read holds (after "Dimension is N"): the command has said it in
    /// its own names (<see cref="EmbeddingFlags.UnreadDimension"/>).
    /// </summary>
    private const string DimensionUnderAuto = ", but Algorithm is Auto, which chooses the dimension itself";

    private void Forward(object? sender, LoggingEventArgs e)
    {
        if (e.Kind is not (ChannelMessageKind.Info or ChannelMessageKind.Warning) || !_components.Any(c => e.Source.StartsWith(c, StringComparison.Ordinal))) return;
        if (e.Kind == ChannelMessageKind.Warning && (SaidByTheCommand.Any(p => e.RawMessage.StartsWith(p, StringComparison.Ordinal))
            || e.RawMessage.Contains(DimensionUnderAuto, StringComparison.Ordinal))) return;
        string component = e.Source.Split(';')[0];
        string line = e.Kind == ChannelMessageKind.Warning && MultiInterestLog.OptionOf(e) is { } option && _optionFlags.TryGetValue(option, out string? flag)
            ? $"  {component} option {option} (from {flag}): {e.RawMessage}"
            : $"  {component}: {e.RawMessage}";
        if (e.Kind == ChannelMessageKind.Warning) _stage.Note(line);
        else if (_info) _stage.Update(line);
    }
}
