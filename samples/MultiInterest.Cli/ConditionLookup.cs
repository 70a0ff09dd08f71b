using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// <c>fit --retriever conditional</c>'s first steps: each edge's item condition from an <c>item&lt;TAB&gt;condition</c> table,
/// by ML.NET's <c>MapValue</c> and <c>MapValueToKey</c> over the table's conditions.
/// </summary>
internal static class ConditionLookup
{
    /// <summary>
    /// The item condition key column, looked up from the conditions file by the raw item id inside the pipeline (so the saved
    /// model, and a served request, need only users and items); an item without a row gets the missing key, no condition.
    /// </summary>
    /// <param name="trainingItems">The items of the training edges: a table that names none of them is refused by its file.</param>
    public static IEstimator<ITransformer> Keys(MLContext ml, string conditionsPath, IReadOnlySet<string> trainingItems, ProgressReporter progress)
    {
        var rows = ConditionalFlags.ReadTable(conditionsPath, progress.Warnings);
        if (rows.Count == 0) throw new InvalidDataException($"{conditionsPath}: no item has a condition.");
        if (!rows.Any(p => trainingItems.Contains(p.Item)))
            throw new InvalidDataException($"{conditionsPath}: none of its {rows.Count:N0} items is an item of the training edges (first: '{rows[0].Item}'): "
                + "its first column must hold the item ids as the edges spell them.");
        var table = ml.Data.LoadFromEnumerable(rows.Select(p => new ItemCondition { Item = p.Item, Condition = p.Condition }));
        var names = rows.Select(p => p.Condition).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var vocabulary = ml.Data.LoadFromEnumerable(names.Select(c => new ItemCondition { Condition = c }));
        int known = rows.Count(p => trainingItems.Contains(p.Item));
        progress.Out.WriteLine($"Conditions: {known:N0} training items with one of {names.Length:N0} from {conditionsPath}"
            + (known < rows.Count ? $" ({rows.Count - known:N0} items without a training edge ignored)." : "."));
        return ml.Transforms.Conversion.MapValue(ConditionText, table, table.Schema[nameof(ItemCondition.Item)], table.Schema[nameof(ItemCondition.Condition)], ServingData.ItemColumn)
            .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, ConditionText,
                keyData: ml.Transforms.SelectColumns(nameof(ItemCondition.Condition)).Fit(vocabulary).Transform(vocabulary)))
            .Append(ml.Transforms.DropColumns(ConditionText));
    }

    /// <summary>The temporary column holding each edge's condition as text.</summary>
    private const string ConditionText = "ConditionText";

    /// <summary>A row of the conditions file.</summary>
    private sealed class ItemCondition
    {
        public string Item { get; set; } = "";

        public string Condition { get; set; } = "";
    }
}
