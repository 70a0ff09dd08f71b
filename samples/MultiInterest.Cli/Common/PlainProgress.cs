namespace MultiInterest.Cli.Common;

/// <summary>Progress as plain lines on standard error: what a pipe, a log file or CI wants.</summary>
internal sealed class PlainProgress(TextWriter output, TextWriter error) : ProgressReporter
{
    /// <inheritdoc/>
    public override TextWriter Out => output;

    /// <inheritdoc/>
    public override TextWriter Warnings => error;

    /// <inheritdoc/>
    public override ProgressStage Begin(string line, double? total = null)
    {
        error.WriteLine(line);
        return new Stage(error);
    }

    private sealed class Stage(TextWriter error) : ProgressStage
    {
        public override void Update(string line, double? value = null) => error.WriteLine(line);

        public override void Note(string line, double? value = null) => error.WriteLine(line);

        public override void Dispose()
        {
        }
    }
}
