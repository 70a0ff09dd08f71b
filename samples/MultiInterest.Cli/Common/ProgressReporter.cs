using Spectre.Console;

namespace MultiInterest.Cli.Common;

/// <summary>
/// How a command shows its long stages. On a terminal (<see cref="CliConsole.Interactive"/>): Spectre.Console progress
/// bars, one per running stage, with each finished stage left as a line; otherwise plain lines on standard error.
/// Results (tables, metrics, the files written) go to <see cref="Out"/> either way and read the same.
/// </summary>
internal abstract class ProgressReporter
{
    /// <summary>Standard output for results; while bars are drawn, lines are printed above them.</summary>
    public abstract TextWriter Out { get; }

    /// <summary>
    /// Where warnings go: standard error when output is redirected (so that <c>evaluate &gt; table.txt</c> still shows them and
    /// the results file holds results only), the console above the bars on a terminal.
    /// </summary>
    public abstract TextWriter Warnings { get; }

    /// <summary>
    /// Starts a stage described by <paramref name="line"/>: a bar out of <paramref name="total"/> steps, or a spinner when
    /// the total is unknown; in plain mode the line itself is printed.
    /// </summary>
    public abstract ProgressStage Begin(string line, double? total = null);

    /// <summary>Runs <paramref name="body"/> with the reporter that suits <paramref name="console"/>, and returns its exit code.</summary>
    public static int Run(CliConsole console, Func<ProgressReporter, int> body)
    {
        if (!console.Interactive) return body(new PlainProgress(console.Out, console.Error));
        var terminal = AnsiConsole.Console;
        return terminal.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var live = new LiveProgress(terminal, context);
                try
                {
                    return body(live);
                }
                finally
                {
                    live.Out.Flush();
                }
            });
    }
}
