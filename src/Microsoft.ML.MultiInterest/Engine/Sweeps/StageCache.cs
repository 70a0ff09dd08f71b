using System.Diagnostics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Fitted outputs of one stage keyed by the options of that stage and every stage upstream, least recently used
/// dropped first. Disabled, it fits every time (the refit-everything baseline). Counts its fits.
/// </summary>
internal sealed class StageCache<T>(int capacity, bool enabled) where T : class
{
    private readonly Dictionary<string, LinkedListNode<(string Key, T Value, double Seconds)>> _entries = new();
    private readonly LinkedList<(string Key, T Value, double Seconds)> _order = new();

    /// <summary>How many times the stage was fitted.</summary>
    public int Fits { get; private set; }

    /// <summary>The cached output for <paramref name="key"/>, or a fresh fit; with the seconds the fit took (when it was made) and whether it was reused.</summary>
    public (T Value, double Seconds, bool Reused) GetOrFit(string key, Func<T> fit)
    {
        if (enabled && _entries.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            return (node.Value.Value, node.Value.Seconds, true);
        }
        var clock = Stopwatch.StartNew();
        var value = fit();
        double seconds = clock.Elapsed.TotalSeconds;
        Fits++;
        if (enabled)
        {
            _entries[key] = _order.AddFirst((key, value, seconds));
            while (_order.Count > capacity)
            {
                _entries.Remove(_order.Last!.Value.Key);
                _order.RemoveLast();
            }
        }
        return (value, seconds, false);
    }
}
