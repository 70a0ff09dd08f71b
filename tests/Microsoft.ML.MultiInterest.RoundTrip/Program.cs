using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.RoundTrip;

// Usage: RoundTrip <edges.tsv> <columns, comma-separated> <out.txt> <model.zip>...
// Loads each model zip with mlContext.Model.Load, applies them in order to the User/Item edges, and
// dumps the named columns. Run as its own process by the save/load tests.
// Or: RoundTrip dispose-race <model.zip> <edges.tsv> <temp directory> <cycles> (DisposeRace).
if (args is ["dispose-race", var racedModel, var racedEdges, var racedTemp, var cycles])
    return DisposeRace.Run(racedModel, racedEdges, racedTemp, int.Parse(cycles, System.Globalization.CultureInfo.InvariantCulture));
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: RoundTrip <edges.tsv> <columns> <out.txt> <model.zip>...");
    return 2;
}
var ml = new MLContext(seed: 1);
var edges = File.ReadLines(args[0]).Select(line => line.Split('\t')).Select(p => new EdgeRow { User = p[0], Item = p[1] }).ToList();
IDataView data = ml.Data.LoadFromEnumerable(edges);
foreach (string path in args[3..])
{
    // mlContext.Model.Load, retried as the library retries it (OrtNameClash: an .ort temp name, dotnet/machinelearning#7339).
    var model = OrtNameClash.Retry(() => ml.Model.Load(path, out _));
    data = model.Transform(data);
}
using var writer = new StreamWriter(args[2]);
ColumnDump.Write(ColumnDump.Dump(data, args[1].Split(',')), writer);
return 0;

/// <summary>One edge as the tests write it.</summary>
internal sealed class EdgeRow
{
    public string User { get; set; } = "";

    public string Item { get; set; } = "";
}
