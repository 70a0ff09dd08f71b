using System.Globalization;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The options a sweep varies, each with the discrete values it tries. Options outside the space keep the values of
/// <see cref="SweepOptions.BaseSettings"/>. Parameters are kept in pipeline order (upstream stages first), which is
/// also the order of the grid (upstream parameters vary slowest).
/// </summary>
public sealed class SweepSearchSpace
{
    private readonly List<SweepParameter> _parameters = new();

    /// <summary>The parameters, upstream stages first (declaration order within a stage).</summary>
    public IReadOnlyList<SweepParameter> Parameters => _parameters;

    /// <summary>Every option name a search space accepts, with its stage and meaning.</summary>
    public static IEnumerable<string> KnownParameters => SweepParameterCatalog.Describe();

    /// <summary>Adds <paramref name="name"/> with numeric values.</summary>
    /// <param name="name">The option to vary, case-insensitive; one of <see cref="KnownParameters"/> (numeric ones: "dimension", "epochs", "learning-rate", "uniform-negatives", "als-regularization", "als-unobserved-weight", "als-iterations", "svd-degree-normalization", "svd-degree-smoothing", "svd-item-degree-exponent", "svd-oversampling", "svd-power-iterations", "clusters", "kmeans-iterations", "components", "neighbors", "lambda", "alpha", "mmr-lambda", "mmr-pool", "interest-weight", "items-per-interest", "max-interests"), not already in the space.</param>
    /// <param name="values">The values to try, at least one, none repeated, each valid for the option (written as round-trip invariant text and checked as <see cref="Add(string, string[])"/> checks it).</param>
    /// <returns>This space, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Add(string, string[])"/>.</exception>
    public SweepSearchSpace Add(string name, params double[] values) =>
        Add(name, (values ?? throw new ArgumentNullException(nameof(values))).Select(SweepParameterCatalog.Text).ToArray());

    /// <summary>Adds <paramref name="name"/> with integer values.</summary>
    /// <param name="name">The option to vary, case-insensitive; one of <see cref="KnownParameters"/> (e.g. "dimension", "clusters", "components", "neighbors", "mmr-pool"), not already in the space.</param>
    /// <param name="values">The values to try, at least one, none repeated, each valid for the option (checked as <see cref="Add(string, string[])"/> checks it).</param>
    /// <returns>This space, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Add(string, string[])"/>.</exception>
    public SweepSearchSpace Add(string name, params int[] values) =>
        Add(name, (values ?? throw new ArgumentNullException(nameof(values))).Select(SweepParameterCatalog.Text).ToArray());

    /// <summary>Adds the embedding algorithms to try.</summary>
    /// <param name="algorithms">The algorithms, at least one and none repeated, each <see cref="EmbeddingAlgorithm.Auto"/>, <see cref="EmbeddingAlgorithm.NegativeSampling"/>, <see cref="EmbeddingAlgorithm.TruncatedSvd"/> or <see cref="EmbeddingAlgorithm.ImplicitAls"/>; added as the "algorithm" parameter.</param>
    /// <returns>This space, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="algorithms"/> is null.</exception>
    /// <exception cref="ArgumentException">The space already has "algorithm", the array is empty, an algorithm repeats, or one is none of those four.</exception>
    public SweepSearchSpace Add(params EmbeddingAlgorithm[] algorithms) =>
        Add("algorithm", (algorithms ?? throw new ArgumentNullException(nameof(algorithms))).Select(SweepParameterCatalog.AlgorithmName).ToArray());

    /// <summary>Adds the retrieval methods to try.</summary>
    /// <param name="methods">The methods, at least one and none repeated; adds them as the "method" parameter.</param>
    /// <returns>This space, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="methods"/> is null.</exception>
    /// <exception cref="ArgumentException">The space already has "method", the array is empty or a method repeats.</exception>
    public SweepSearchSpace Add(params SweepRetrievalMethod[] methods) =>
        Add("method", (methods ?? throw new ArgumentNullException(nameof(methods))).Select(SweepParameterCatalog.MethodName).ToArray());

    /// <summary>Adds <paramref name="name"/> with values given as invariant text (e.g. "0.2", "truncated-svd").</summary>
    /// <exception cref="ArgumentException">The name is unknown or already present, there are no values, a value repeats, or a value is invalid for the option (the message names the option and the value).</exception>
    /// <param name="name">The option to vary, case-insensitive; one of <see cref="KnownParameters"/>, which lists each with its stage and meaning: "algorithm", "dimension", "epochs", "learning-rate", "uniform-negatives", "als-regularization", "als-unobserved-weight", "als-iterations", "svd-degree-normalization", "svd-degree-smoothing", "svd-item-degree-exponent", "svd-oversampling", "svd-power-iterations", "clusters", "kmeans-iterations", "components", "neighbors", "lambda", "alpha", "method", "mmr-lambda", "mmr-pool", "interest-weight", "items-per-interest", "max-interests".</param>
    /// <param name="values">The values to try as invariant text, trimmed: at least one, none repeated (after canonicalisation: "0.50" repeats "0.5"), each valid for the option.</param>
    /// <returns>This space, for chaining.</returns>
    public SweepSearchSpace Add(string name, params string[] values)
    {
        var definition = SweepParameterCatalog.Get(name);
        if (_parameters.Any(p => p.Name == definition.Name))
            throw new ArgumentException($"The search space already has the parameter '{definition.Name}'.", nameof(name));
        if (values == null || values.Length == 0)
            throw new ArgumentException($"The search space parameter '{definition.Name}' needs at least one value.", nameof(values));
        var canonical = new List<string>();
        foreach (var raw in values)
        {
            string value = (raw ?? "").Trim();
            var probe = new SweepSettings();
            try
            {
                definition.Apply(probe, value);
                probe.Validate();
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new ArgumentException($"The search space parameter '{definition.Name}' has an invalid value '{value}': {Reason(e)}", nameof(values), e);
            }
            string text = definition.Read(probe);
            if (canonical.Contains(text)) throw new ArgumentException($"The search space parameter '{definition.Name}' lists the value '{value}' twice.", nameof(values));
            canonical.Add(text);
        }
        var parameter = new SweepParameter(definition.Name, definition.Stage, definition.Numeric, canonical);
        int at = _parameters.FindLastIndex(p => p.Stage <= parameter.Stage) + 1;
        _parameters.Insert(at, parameter);
        return this;
    }

    /// <summary>
    /// Parses "name=v1,v2,...;name=v1,..." (e.g. "lambda=0,0.2,0.4;neighbors=10,20,50"), the command line's form.
    /// </summary>
    /// <exception cref="ArgumentException">The text is malformed (an entry without '=', an empty entry between or around the ';'), or names an invalid parameter or value.</exception>
    /// <param name="text">Entries "name=v1,v2,..." separated by ';', each name one of <see cref="KnownParameters"/> (see <see cref="Add(string, string[])"/>); not empty.</param>
    /// <returns>A new space with the parameters in pipeline order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static SweepSearchSpace Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var space = new SweepSearchSpace();
        string[] parts = text.Split(';', StringSplitOptions.TrimEntries);
        // "" is the empty space, refused below as such; any other empty entry is refused where it is, not skipped:
        // "a=1;;b=2" most likely lost an entry while being edited, and skipping it would run another search than the one meant.
        if (parts.Length == 1 && parts[0].Length == 0) parts = [];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part.Length == 0)
                throw new ArgumentException($"The search space's entry {i + 1} of {parts.Length} is empty (two ';' in a row, or one at an end): "
                    + "each entry between ';' reads name=value1,value2,... Remove the extra ';' or give the entry that was meant there.", nameof(text));
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"The search space entry '{part}' must read name=value1,value2,...", nameof(text));
            try
            {
                space.Add(part[..eq].Trim(), part[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries));
            }
            catch (ArgumentException e)
            {
                // Add names its own arguments (name, values); here the text is at fault.
                throw new ArgumentException(Reason(e), nameof(text), e);
            }
        }
        if (space.Parameters.Count == 0) throw new ArgumentException("The search space is empty: give at least one name=values entry.", nameof(text));
        return space;
    }

    /// <summary>The number of configurations (the product of the value counts), saturating at <see cref="long.MaxValue"/>.</summary>
    public long Size
    {
        get
        {
            long size = 1;
            foreach (var p in _parameters) size = size > long.MaxValue / p.Values.Count ? long.MaxValue : size * p.Values.Count;
            return size;
        }
    }

    /// <summary>The exact number of configurations (the product of the value counts), also past <see cref="Size"/>'s 2^63 - 1.</summary>
    public System.Numerics.BigInteger ExactSize => _parameters.Aggregate(System.Numerics.BigInteger.One, (size, p) => size * p.Values.Count);

    /// <summary>
    /// <see cref="ExactSize"/> with thousands separators ("110,000,000,000,000,000,000") and the values per parameter
    /// ("lambda 11 x neighbors 100"), for messages.
    /// </summary>
    internal (string Count, string PerParameter) SizeText() =>
        (ExactSize.ToString("N0", CultureInfo.InvariantCulture), string.Join(" x ", _parameters.Select(p => $"{p.Name} {p.Values.Count}")));

    /// <summary>"lambda=0,0.2;neighbors=10,20": the form <see cref="Parse"/> reads.</summary>
    /// <returns>The space as <see cref="Parse"/> reads it; "" for an empty space.</returns>
    public override string ToString() => string.Join(";", _parameters.Select(p => $"{p.Name}={string.Join(",", p.Values)}"));

    internal double NumericValue(int parameter, int index) =>
        double.Parse(_parameters[parameter].Values[index], NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>
    /// The first line of <paramref name="e"/>'s message without its "(Parameter '...')", which the exception thrown in its
    /// stead adds again with its own parameter (messages read "(Parameter 'lambda') (Parameter 'values')" until 2026-12-06).
    /// </summary>
    internal static string Reason(Exception e)
    {
        string line = FirstLine(e.Message);
        return e is ArgumentException { ParamName: { } name } ? line.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : line;
    }

    /// <summary>
    /// The distinct trials among the configurations of the grid over this space: configurations that differ only in
    /// parameters their settings do not read (the neighbours at lambda 0, an MMR lambda under Unimodal) are one trial, which a
    /// sweep runs once. With <paramref name="includeBaseSettings"/> the base settings' own trial
    /// (<see cref="SweepOptions.IncludeDefaults"/>) is counted too, one more where it is none of the grid's.
    /// </summary>
    /// <param name="baseSettings">The settings the space varies (<see cref="SweepOptions.BaseSettings"/>; null: the defaults).</param>
    /// <param name="includeBaseSettings">Whether to count the base settings' trial, which a sweep runs first.</param>
    /// <returns>The count, or null for a grid of more than <see cref="SweepDefaults.MaxUnlimitedGridConfigurations"/> configurations (not enumerated).</returns>
    public long? DistinctTrials(SweepSettings? baseSettings = null, bool includeBaseSettings = false) =>
        Size > SweepDefaults.MaxUnlimitedGridConfigurations ? null : SweepRunner.DistinctTrials(this, baseSettings ?? new SweepSettings(), includeBaseSettings);
}
