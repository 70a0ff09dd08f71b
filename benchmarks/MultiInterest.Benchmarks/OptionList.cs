using System.Globalization;

namespace MultiInterest.Benchmarks;

/// <summary>
/// The <c>--name value</c> options and <c>--flag</c> switches of one command; every option read is marked used, and
/// <see cref="RejectUnknown"/> then throws on anything left over (a typo must not silently fall back to a default).
/// </summary>
internal sealed class OptionList
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; names in <paramref name="flags"/> take no value.</summary>
    public OptionList(IReadOnlyList<string> args, params string[] flags)
    {
        for (int a = 0; a < args.Count; a++)
        {
            string arg = args[a];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{arg}'.");
            string name = arg[2..];
            if (flags.Contains(name)) { _values[name] = null; continue; }
            if (a + 1 >= args.Count) throw new ArgumentException($"Option {arg} needs a value.");
            _values[name] = args[++a];
        }
    }

    /// <summary>True when the switch <c>--name</c> was given.</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    /// <summary>The value of <c>--name</c>, or null.</summary>
    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    /// <summary>The integer value of <c>--name</c>; accepts k/M suffixes (<c>20M</c> = 20,000,000).</summary>
    public int Int(string name, int fallback)
    {
        var s = String(name);
        if (s == null) return fallback;
        long scale = char.ToUpperInvariant(s[^1]) switch { 'K' => 1_000, 'M' => 1_000_000, _ => 1 };
        var digits = scale == 1 ? s : s[..^1];
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v * scale != Math.Floor(v * scale)
            || v * scale > int.MaxValue || v * scale < int.MinValue)
            throw new FormatException($"--{name} must be an integer (k and M suffixes allowed), not '{s}'.");
        return (int)(v * scale);
    }

    /// <summary>The floating-point value of <c>--name</c>.</summary>
    public double Double(string name, double fallback)
    {
        var s = String(name);
        if (s == null) return fallback;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"--{name} must be a finite number, not '{s}'.");
    }

    /// <summary>Throws when an option was given that no getter asked for.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}.");
    }
}
