namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A tiny seeded generator (SplitMix64). Used instead of <see cref="Random"/> so that a seed's sequence is
/// fixed by this code, not by the runtime version.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(int seed) => _state = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in 0..<paramref name="count"/>-1.</summary>
    public int NextInt(int count) => (int)(NextDouble() * count);
}
