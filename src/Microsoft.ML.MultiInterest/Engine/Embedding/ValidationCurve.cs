using System.Collections;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The validation measurements of a run, in the order they were taken, each also reported to an optional sink as it is
/// taken: a search that runs for minutes (Auto's trials) is heard from between its start and its end.
/// </summary>
internal sealed class ValidationCurve : IReadOnlyList<ValidationPoint>
{
    private readonly List<ValidationPoint> _points = [];
    private readonly IProgress<ValidationPoint>? _sink;

    /// <param name="sink">Hears each point as it is added (after any renaming); null for none.</param>
    public ValidationCurve(IProgress<ValidationPoint>? sink = null) => _sink = sink;

    // Renames the points added while a NamedBy scope is open.
    private Func<ValidationPoint, ValidationPoint>? _naming;

    /// <summary>
    /// Renames the points added until the returned scope is disposed: a search that runs a trainer as one of its trials
    /// names the trainer's points by the trial's settings ("implicit-als d=128 reg=0.005 alpha0=0.003 iteration 2"), and
    /// its sink hears them by that name.
    /// </summary>
    public IDisposable NamedBy(Func<ValidationPoint, ValidationPoint> naming)
    {
        _naming = naming;
        return new Scope(this);
    }

    /// <summary>Appends <paramref name="point"/> (renamed inside a <see cref="NamedBy"/> scope) and reports it.</summary>
    public void Add(ValidationPoint point)
    {
        if (_naming != null) point = _naming(point);
        _points.Add(point);
        _sink?.Report(point);
    }

    /// <inheritdoc/>
    public ValidationPoint this[int index] => _points[index];

    /// <inheritdoc/>
    public int Count => _points.Count;

    /// <inheritdoc/>
    public IEnumerator<ValidationPoint> GetEnumerator() => _points.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Scope(ValidationCurve curve) : IDisposable
    {
        public void Dispose() => curve._naming = null;
    }
}
