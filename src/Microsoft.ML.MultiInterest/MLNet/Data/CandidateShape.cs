namespace Microsoft.ML.MultiInterest;

/// <summary>The shape of the candidate columns, shared by the retrieval estimators and the rank fusion.</summary>
internal static class CandidateShape
{
    /// <summary>
    /// <paramref name="input"/> with the candidate keys and scores appended, and, when <paramref name="source"/> is given (every
    /// retriever; a fusion has none), the text column that says where each list came from: the columns Transform appends.
    /// </summary>
    public static SchemaShape Append(SchemaShape input, string candidates, string scores, string? source = null)
    {
        SchemaShape.Column[] added = [ShapeFactory.KeyVector(candidates, 2, keyValues: true), ShapeFactory.FloatVector(scores)];
        return ShapeFactory.Append(input, source == null ? added : [.. added, ShapeFactory.Text(source)]);
    }
}
