using System.Text;

namespace MultiInterest.Cli.Common;

/// <summary>A writer that hands each completed line to <paramref name="writeLine"/> (used to print above Spectre.Console's live bars).</summary>
internal sealed class LineWriter(Action<string> writeLine) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        if (value == '\n') Emit();
        else if (value != '\r') _line.Append(value);
    }

    public override void Write(string? value)
    {
        if (value == null) return;
        int start = 0;
        for (int newline = value.IndexOf('\n', start); newline >= 0; newline = value.IndexOf('\n', start))
        {
            _line.Append(value, start, newline - start);
            Emit();
            start = newline + 1;
        }
        _line.Append(value, start, value.Length - start);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Emit();
    }

    public override void Flush()
    {
        if (_line.Length > 0) Emit();
    }

    private void Emit()
    {
        if (_line.Length > 0 && _line[^1] == '\r') _line.Length--;
        writeLine(_line.ToString());
        _line.Clear();
    }
}
