using System.Globalization;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Text made in the invariant culture whatever the thread's: the settings strings of the trainers (GraphEmbeddingResult.Settings,
/// the validation curve's candidates, metrics.json) and the stage fingerprints, which printed "reg=0,005" under de-DE and
/// hashed a model's settings differently by culture.
/// </summary>
internal static class InvariantText
{
    /// <summary><paramref name="text"/>'s result, its interpolations formatted in the invariant culture.</summary>
    public static string Of(Func<string> text)
    {
        var culture = CultureInfo.CurrentCulture;
        if (ReferenceEquals(culture, CultureInfo.InvariantCulture)) return text();
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return text();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
