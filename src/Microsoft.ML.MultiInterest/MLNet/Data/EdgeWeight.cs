using System.Globalization;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The one rule for an edge weight read from a view: a weight scales an edge's loss, so it must be positive and finite as
/// the Single it is trained with. The refusal shows the value as the column holds it and, when the Single conversion is what
/// made it 0 or infinite (a Double of 1e-50 or 1e300), says so.
/// </summary>
internal static class EdgeWeight
{
    /// <summary>
    /// <paramref name="read"/> (a weight column's value, widened to double without loss) as the Single trained with, or an
    /// <see cref="ArgumentException"/> naming the column, its option and the view's row (from 0).
    /// </summary>
    /// <param name="read">The value as the column holds it.</param>
    /// <param name="singleColumn">Whether the column holds Single values: their value is shown as the Single it is; any other
    /// column's (Double, integers) as the double it was read as, which for an integer is exact up to 2^53.</param>
    /// <param name="column">The weight column's name.</param>
    /// <param name="option">The option that named the column.</param>
    /// <param name="row">The view's row, from 0.</param>
    /// <param name="paramName">The argument the exception names.</param>
    public static float Checked(double read, bool singleColumn, string column, string option, long row, string paramName)
    {
        float weight = (float)read;
        if (weight > 0 && float.IsFinite(weight)) return weight;
        // A Single column's value shown as the Single it is, not as its double expansion (-0.3, not -0.30000001192092896);
        // a Double or integer column's as read (an Int64 of -1099511627776 is not the Single -1.0995116E+12).
        string held = singleColumn ? weight.ToString(CultureInfo.InvariantCulture) : read.ToString("R", CultureInfo.InvariantCulture);
        string asSingle = read > 0 && double.IsFinite(read)
            ? string.Create(CultureInfo.InvariantCulture, $" ({weight} as the Single the edges are trained with)")
            : "";
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"Input column '{column}' (option {option}) holds the weight {held} at row {row} of the data{asSingle}: weights must be positive and finite."), paramName);
    }
}
