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

    /// <summary>The characters a description may take beside the bar, the percentage, the time and the spinner.</summary>
    private int DescriptionWidth => Math.Max(20, _console.Profile.Width - 40);

    /// <summary>Keeps a description on one line beside the bar.</summary>
    private string Fit(string text) => Cut(text, DescriptionWidth);

    private static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    /// <summary>
    /// A stage's title with its latest status, in <paramref name="width"/> characters. When both do not fit, the title gives
    /// way (cut to a third of the width) so that the status, which is what moves, still shows: on an 80-column terminal a
    /// title such as "Fitting the kNN-Embed pipeline on 161,868 edges" alone filled the description, and the stage never
    /// said which part it had reached.
    /// </summary>
    internal static string Describe(string title, string line, int width)
    {
        string status = line.Trim();
        string full = $"{title}: {status}";
        if (full.Length <= width || status.Length == 0) return Cut(full, width);
        return Cut($"{Cut(title, Math.Min(title.Length, Math.Max(8, width / 3)))}: {status}", width);
    }

    private sealed class Stage(LiveProgress owner, ProgressTask task, string title) : ProgressStage
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _done;

        public override void Update(string line, double? value = null)
        {
            task.Description = Markup.Escape(Describe(title, line, owner.DescriptionWidth));
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
