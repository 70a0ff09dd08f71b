using System.Globalization;

namespace MultiInterest.Cli;

/// <summary>Parses <c>--name value</c> options and <c>--flag</c> switches, rejecting anything unknown.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string arg = list[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"Unexpected argument '{arg}'.");
            string name = arg[2..];
            if (flags.Contains(name)) { _values[name] = null; continue; }
            if (i + 1 >= list.Count) throw new UsageException($"The option --{name} needs a value.");
            _values[name] = list[++i];
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public string RequiredString(string name) => String(name) ?? throw new UsageException($"The option --{name} is required.");

    public int Int(string name, int fallback)
    {
        var s = String(name);
        if (s == null) return fallback;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new UsageException($"--{name} must be an integer, not '{s}'.");
    }

    public double Double(string name, double fallback)
    {
        var s = String(name);
        if (s == null) return fallback;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new UsageException($"--{name} must be a number, not '{s}'.");
    }

    /// <summary>Throws on options that no code path read: a typo should never be silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"Unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}.");
    }
}

/// <summary>A command-line mistake: printed with the usage text, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
