using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// The conditions file (<c>item&lt;TAB&gt;condition</c>) is read whole or refused: an item's second condition on its own line
/// is not dropped, an empty item is not an id, a padded id is said; and evaluate reads it before anything is fitted.
/// </summary>
public sealed class ConditionsFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-conditions-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void A_second_condition_on_the_items_line_is_refused_not_dropped()
    {
        var e = Assert.Throws<InvalidDataException>(() => ConditionalFlags.ReadTable(Write("two.tsv", "item\tcondition", "i1\tt1", "i50\tt2\tt3")));
        Assert.Contains("line 3: 3 fields, but the header names 2 columns", e.Message, StringComparison.Ordinal);
        Assert.Contains("'i50' lists 't2', 't3'", e.Message, StringComparison.Ordinal);
        // Columns the header names are other data, read past.
        Assert.Equal([("i1", "t1")], ConditionalFlags.ReadTable(Write("named.tsv", "item\tcondition\tsource", "i1\tt1\tcurated")));
        // A trailing tab (a spreadsheet's export) leaves an empty field, which holds no second condition (a review found it refused).
        Assert.Equal([("i1", "t1"), ("i2", "t2")], ConditionalFlags.ReadTable(Write("trailing.tsv", "item\tcondition", "i1\tt1\t", "i2\tt2\t")));
    }

    [Fact]
    public void An_empty_item_is_refused_and_a_padded_id_is_said()
    {
        var e = Assert.Throws<InvalidDataException>(() => ConditionalFlags.ReadTable(Write("empty.tsv", "item\tcondition", "\tt1")));
        Assert.Contains("line 2: expected 'item<TAB>condition'", e.Message, StringComparison.Ordinal);

        var warnings = new StringWriter();
        var rows = ConditionalFlags.ReadTable(Write("padded.tsv", "item\tcondition", "i1\tt3", "i2\tt3 "), warnings);
        Assert.Equal([("i1", "t3"), ("i2", "t3 ")], rows);
        Assert.Contains("1 lines hold an item or condition with leading or trailing spaces (the first, line 3: 'i2' -> 't3 ')", warnings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_refuses_a_bad_conditions_file_before_fitting_anything()
    {
        var (train, test) = CliHarness.WriteSplit(_directory);
        string item = File.ReadAllLines(train)[1].Split('\t')[1];
        string conditions = Write("bad.tsv", "item\tcondition", $"{item}\t");
        var run = CliHarness.Run("evaluate", "--train", train, "--test", test, "--conditional", "--conditions", conditions, "--threads", "1");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("bad.tsv, line 2: expected 'item<TAB>condition'", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Stage seconds", run.Out + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("embedding", run.Out, StringComparison.OrdinalIgnoreCase);
    }
}
