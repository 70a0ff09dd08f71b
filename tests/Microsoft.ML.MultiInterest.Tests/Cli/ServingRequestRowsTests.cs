using Microsoft.ML;
using Microsoft.ML.Data;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The rows <c>recommend</c> feeds a loaded chain: ids matched as written, and models it cannot feed refused by name.</summary>
public class ServingRequestRowsTests
{
    private static DataViewSchema Schema(DataViewType user, DataViewType item)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(ServingData.UserColumn, user);
        builder.AddColumn(ServingData.ItemColumn, item);
        return builder.ToSchema();
    }

    /// <summary>
    /// Regression (a walkthrough of ids): on a model whose inputs are keys, "007" and "07" were read as key 7 and served key
    /// 7's list as Trained, where the engine, ONNX and the recommender serve them as unknown users.
    /// </summary>
    [Fact]
    public void KeyIdsAreTheKeysNumberAsWritten()
    {
        var ml = new MLContext(seed: 1);
        var rows = ServingData.RequestRows(ml, Schema(new KeyDataViewType(typeof(uint), 36), new KeyDataViewType(typeof(uint), 30)), ["7", "007", "07", "+7", " 7", "37"]);
        Assert.Equal([7u, 0u, 0u, 0u, 0u, 0u], rows.GetColumn<uint>(ServingData.UserColumn).ToArray());
    }

    /// <summary>Regression (a walkthrough of ids): a model fitted on Int64 ids failed with ML.NET's "Could not apply a map over type 'Int64'".</summary>
    [Fact]
    public void ANumericIdColumnIsRefusedNamingTheScorersThatServeIt()
    {
        var ml = new MLContext(seed: 1);
        var users = Assert.Throws<InvalidDataException>(() => ServingData.RequestRows(ml, Schema(NumberDataViewType.Int64, NumberDataViewType.Int64), ["7"]));
        Assert.Contains("The model's input column 'User' is Int64", users.Message, StringComparison.Ordinal);
        Assert.Contains("--recommender or --engine", users.Message, StringComparison.Ordinal);
        var items = Assert.Throws<InvalidDataException>(() => ServingData.RequestRows(ml, Schema(TextDataViewType.Instance, NumberDataViewType.Single), ["7"]));
        Assert.Contains("The model's input column 'Item' is Single", items.Message, StringComparison.Ordinal);
    }
}
