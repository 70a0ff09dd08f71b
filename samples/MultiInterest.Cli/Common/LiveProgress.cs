using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace MultiInterest.Cli.Common;

/// <summary>
/// Progress as Spectre.Console bars on the terminal. Every line the command prints goes through the same console, so
/// it lands above the bars instead of through them; a finished stage leaves one line with its time.
/// </summary>
internal sealed class LiveProgress : ProgressReporter
{
    private readonly IAnsiConsole _console;
    private readonly ProgressContext _context;

    public LiveProgress(IAnsiConsole console, ProgressContext context)
    {
        _console = console;
        _context = context;
        Out = new LineWriter(line => _console.WriteLine(line));
    }

    /// <inheritdoc/>
    public override TextWriter Out { get; }

    /// <inheritdoc/>
    public override TextWriter Warnings => Out;

    /// <inheritdoc/>
    public override ProgressStage Begin(string line, double? total = null)
    {
        string title = line.Trim().TrimEnd('.');
        var task = _context.AddTask(Markup.Escape(Fit(title)), maxValue: total is > 0 ? total.Value : 100);
        task.IsIndeterminate = total is not > 0;
        return new Stage(this, task, title);
    }

    /// <summary>Keeps a description on one line beside the bar.</summary>
    private string Fit(string text)
    {
        int width = Math.Max(20, _console.Profile.Width - 40);
        return text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");
    }

    private sealed class Stage(LiveProgress owner, ProgressTask task, string title) : ProgressStage
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _done;

        public override void Update(string line, double? value = null)
        {
            task.Description = Markup.Escape(owner.Fit($"{title}: {line.Trim()}"));
            if (value is { } v && !task.IsIndeterminate) task.Value = Math.Min(v, task.MaxValue);
        }

        public override void Note(string line, double? value = null)
        {
            owner.Out.WriteLine(line);
            if (value is { } v && !task.IsIndeterminate) task.Value = Math.Min(v, task.MaxValue);
        }

        public override void Dispose()
        {
            // A bar that reached its total is finished already, but its line is still due.
            if (_done) return;
            _done = true;
            task.Value = task.MaxValue;
            task.StopTask();
            owner.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: done in {_clock.Elapsed.TotalSeconds:F1} s"));
        }
    }
}
