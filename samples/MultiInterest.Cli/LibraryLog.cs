using Microsoft.ML;
using Microsoft.ML.Runtime;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The library's messages in an <see cref="MLContext"/>'s log, shown while a stage runs (until disposed): the warnings of
/// the named components as kept lines, and with <c>info</c> their progress messages as the stage's status. fit shows both
/// for its estimators; sweep the warnings of Sweep (weights far apart or far from 1), its trials reporting through their own progress.
/// </summary>
internal sealed class LibraryLog : IDisposable
{
    private readonly MLContext _ml;
    private readonly IReadOnlyList<string> _components;
    private readonly ProgressStage _stage;
    private readonly bool _info;

    private LibraryLog(MLContext ml, IReadOnlyList<string> components, ProgressStage stage, bool info)
    {
        (_ml, _components, _stage, _info) = (ml, components, stage, info);
        ml.Log += Forward;
    }

    /// <summary>Shows the messages of <paramref name="components"/> (log sources starting with their names) on <paramref name="stage"/>.</summary>
    /// <param name="ml">The context the library logs to.</param>
    /// <param name="components">The components whose messages are shown.</param>
    /// <param name="stage">Where they go: warnings as <see cref="ProgressStage.Note"/>, progress as <see cref="ProgressStage.Update"/>.</param>
    /// <param name="info">Whether progress (info) messages are shown too.</param>
    public static LibraryLog Show(MLContext ml, IReadOnlyList<string> components, ProgressStage stage, bool info) => new(ml, components, stage, info);

    /// <summary>Stops showing the messages.</summary>
    public void Dispose() => _ml.Log -= Forward;

    private void Forward(object? sender, LoggingEventArgs e)
    {
        if (e.Kind is not (ChannelMessageKind.Info or ChannelMessageKind.Warning) || !_components.Any(c => e.Source.StartsWith(c, StringComparison.Ordinal))) return;
        string line = $"  {e.Source.Split(';')[0]}: {e.RawMessage}";
        if (e.Kind == ChannelMessageKind.Warning) _stage.Note(line);
        else if (_info) _stage.Update(line);
    }
}
