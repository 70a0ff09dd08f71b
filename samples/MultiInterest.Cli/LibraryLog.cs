using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.Runtime;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The library's messages in an <see cref="MLContext"/>'s log, shown while a stage runs (until disposed): the warnings of
/// the named components as kept lines, and with <c>info</c> their progress messages as the stage's status. fit shows both
/// for its estimators; sweep the warnings of Sweep, its trials reporting through their own progress. A warning whose source
/// names an option (<see cref="MultiInterestLog.OptionOf(LoggingEventArgs)"/>) is left out when the command has given it in
/// its own names (the weights' warning, an unread --dim's), and one about an option the command set from a flag is shown
/// with that flag: both read from the source rather than matched in the message's words.
/// </summary>
internal sealed class LibraryLog : IDisposable
{
    /// <summary>The name of <see cref="MultiInterestCatalog.Sweep"/>'s weight-column parameter, which its weight warning names.</summary>
    public const string SweepWeightsParameter = "weightColumnName";

    private readonly MLContext _ml;
    private readonly IReadOnlyList<string> _components;
    private readonly ProgressStage _stage;
    private readonly bool _info;
    private readonly IReadOnlyDictionary<string, string> _optionFlags;
    private readonly IReadOnlySet<string> _saidByTheCommand;

    private LibraryLog(MLContext ml, IReadOnlyList<string> components, ProgressStage stage, bool info, IReadOnlyDictionary<string, string>? optionFlags,
        IReadOnlySet<string>? saidByTheCommand)
    {
        (_ml, _components, _stage, _info) = (ml, components, stage, info);
        _optionFlags = optionFlags ?? new Dictionary<string, string>();
        _saidByTheCommand = saidByTheCommand ?? new HashSet<string>();
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
    /// <param name="saidByTheCommand">
    /// Options whose warnings are not shown: the command has given them once already, in the command line's names (the
    /// library names its own option and column, and repeats the weights' warning for each GraphEmbedding of a pipeline).
    /// </param>
    public static LibraryLog Show(MLContext ml, IReadOnlyList<string> components, ProgressStage stage, bool info, IReadOnlyDictionary<string, string>? optionFlags = null,
        IReadOnlySet<string>? saidByTheCommand = null) =>
        new(ml, components, stage, info, optionFlags, saidByTheCommand);

    /// <summary>Stops showing the messages.</summary>
    public void Dispose() => _ml.Log -= Forward;

    private void Forward(object? sender, LoggingEventArgs e)
    {
        if (e.Kind is not (ChannelMessageKind.Info or ChannelMessageKind.Warning) || !_components.Any(c => e.Source.StartsWith(c, StringComparison.Ordinal))) return;
        string? option = MultiInterestLog.OptionOf(e);
        if (e.Kind == ChannelMessageKind.Warning && option != null && _saidByTheCommand.Contains(option)) return;
        string component = e.Source.Split(';')[0];
        string line = e.Kind == ChannelMessageKind.Warning && option != null && _optionFlags.TryGetValue(option, out string? flag)
            ? $"  {component} option {option} (from {flag}): {e.RawMessage}"
            : $"  {component}: {e.RawMessage}";
        if (e.Kind == ChannelMessageKind.Warning) _stage.Note(line);
        else if (_info) _stage.Update(line);
    }
}
