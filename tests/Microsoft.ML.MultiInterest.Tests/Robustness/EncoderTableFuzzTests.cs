using CsCheck;
using Google.Protobuf;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// Generated damage (CsCheck) to the divide-and-conquer encoder tables of a saved quota stage, the tables format 7 added:
/// bytes of a table flipped, overwritten, inserted, deleted or cut, or its row count changed. Each zip must load and serve
/// a new user, or be refused at Load with an <see cref="InvalidDataException"/> (docs/bad-inputs.md), never fail later
/// while serving or with another exception. The whole-zip fuzz (<see cref="FuzzTests"/>) mutates a model without them.
/// </summary>
public class EncoderTableFuzzTests
{
    private static readonly string[] Tables = ["encoder_history_items", "encoder_item_clusters", "encoder_cluster_prior", "encoder_prompts", "encoder_attention_query"];

    // Item ids of the planted graph (MLNetTestData.Edges): a new user's history.
    private static readonly string[] History = ["i0", "i3", "i7", "i11", "i20"];

    [Fact]
    public void MutatedEncoderTables_ServeANewUserOrAreRefusedAtLoad()
    {
        var valid = BadInputFixtures.DivideConquerQuotaZip;
        int loaded = 0, refused = 0;
        using var contexts = new ThreadLocal<MLContext>(() => new MLContext(seed: 1));
        var slowest = new SlowestInput();
        Gen.Select(Gen.Int[0, Tables.Length - 1], Gen.Bool, Gen.Int[-2, 2], FuzzTests.Mutation).Sample((table, rows, delta, mutation) => slowest.Time(() =>
        {
            var bytes = BadInputFixtures.WithTensor(valid, Tables[table], tensor =>
            {
                if (rows) tensor.Dims[0] += delta;
                else tensor.RawData = ByteString.CopyFrom(FuzzTests.Mutate(tensor.RawData.ToByteArray(), mutation));
            });
            MultiInterestModel model;
            try
            {
                model = MultiInterestModel.Load(contexts.Value!, new MemoryStream(bytes));
            }
            catch (InvalidDataException)
            {
                Interlocked.Increment(ref refused);
                return;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"Undocumented exception at Load for damage to '{Tables[table]}' (rows {rows}, delta {delta}, {mutation}): {e}");
                return;
            }
            using (model)
            {
                try
                {
                    var list = contexts.Value!.MultiInterest().CreateRecommender(model).Recommend("someone-new", History);
                    Assert.Equal(CandidateSource.History, list.Source);
                    // A NaN in a table would otherwise be served as a list ranked by NaN.
                    Assert.All(list.Items, item => Assert.False(float.IsNaN(item.Score), $"a NaN score after damage to '{Tables[table]}' ({mutation})"));
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"A zip with damage to '{Tables[table]}' (rows {rows}, delta {delta}, {mutation}) loaded but failed while serving: {e}");
                }
            }
            Interlocked.Increment(ref loaded);
        }), iter: 200, threads: 2);
        slowest.AssertBounded("damaged encoder table's load and request");
        Assert.True(refused > 0 && loaded > 0, $"loaded {loaded}, refused {refused}");
    }
}
