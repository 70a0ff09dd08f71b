namespace Microsoft.ML.MultiInterest;

/// <summary>The shape of the two candidate columns, shared by the retrieval estimators.</summary>
internal static class CandidateShape
{
    public static SchemaShape Append(SchemaShape input, string candidates, string scores) =>
        ShapeFactory.Append(input,
            ShapeFactory.KeyVector(candidates, 2, keyValues: true),
            ShapeFactory.FloatVector(scores));
}
