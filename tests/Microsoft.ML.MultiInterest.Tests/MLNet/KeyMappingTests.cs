using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Keys made by another MapValueToKey of the same cardinality name other users and items: the fitted stages compare the
/// column's KeyValues with the ids they were fitted on, rather than serve another user's list as this one's.
/// </summary>
public class KeyMappingTests
{
    [Fact]
    public void AnotherKeyMappingOfTheSameCardinality_IsRefusedByName_AndTheSameMappingIsAccepted()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var embedding = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var embedded = embedding.Transform(keyed);
        var retriever = ml.MultiInterest().UnimodalRetriever(5).Fit(embedded);

        // The same edges in reverse order: MapValueToKey numbers the ids in order of appearance, so the same ids get other keys.
        var reversed = ml.Data.LoadFromEnumerable(Enumerable.Reverse(MLNetTestData.Edges()).ToList());
        var otherKeyed = MLNetTestData.KeyPipeline(ml).Fit(reversed).Transform(raw);

        var user = Assert.Throws<ArgumentException>(() => embedding.Transform(otherKeyed).Preview());
        Assert.Contains("Input column 'User' (option UserColumnName) maps key 1 to", user.Message);
        Assert.Contains("apply the same fitted MapValueToKey transformer as at Fit", user.Message);

        // The retriever checks its own input too: a whole upstream refitted on the other mapping feeds it other users' keys.
        var otherEmbedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(otherKeyed).Transform(otherKeyed);
        var stage = Assert.Throws<ArgumentException>(() => retriever.Transform(otherEmbedded).Preview());
        Assert.Contains("(option UserColumnName) maps key 1 to", stage.Message);

        // The fitted mapping itself passes, and gives the fitted lists.
        var lists = retriever.Transform(embedding.Transform(keys.Transform(raw))).GetColumn<VBuffer<uint>>("Candidates").ToArray();
        Assert.Equal(raw.GetRowCount() ?? lists.Length, lists.Length);
        Assert.All(lists, l => Assert.Equal(5, l.Length));
    }
}
