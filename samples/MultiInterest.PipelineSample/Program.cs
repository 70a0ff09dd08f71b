// The multi-interest retrieval pipeline as an ML.NET user writes it, on a subsample of cit-HepPh:
// key mapping -> graph embedding -> spherical k-means -> kNN-smoothed mixtures -> cluster-quota retrieval,
// then evaluation against the held-out citations and a look at a few users' candidates.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using MultiInterest.PipelineSample;

var clock = Stopwatch.StartNew();
var folder = DataFolder.Find(args);
var (trainRows, testRows) = Subsample.MostCited(
    EdgeFile.Read(Path.Combine(folder, "train.tsv.gz")), EdgeFile.Read(Path.Combine(folder, "test.tsv.gz")), items: 3000);
Console.WriteLine($"Subsample: 3000 most cited items, {trainRows.Count} training edges, {testRows.Count} held-out edges, "
    + $"{testRows.Select(e => e.User).Distinct().Count()} test users.");

var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromEnumerable(trainRows);
var test = ml.Data.LoadFromEnumerable(testRows);
var mi = ml.MultiInterest();

var pipeline = ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.User)
    .Append(ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.Item))
    .Append(mi.GraphEmbedding())                                             // + UserEmbedding, ItemEmbedding (Auto: algorithm and dimension chosen on a hold-out)
    .Append(mi.SphericalKMeans(numberOfClusters: 100))                       // + ItemCluster
    .Append(mi.KnnSmoothedMixture())                                         // + MixtureClusters, MixtureWeights, MixtureEmbeddings (m, k, lambda: the defaults)
    .Append(mi.ClusterQuotaRetriever());                                     // + Candidates, CandidateScores (M: the default)
var model = pipeline.Fit(train);
Console.WriteLine($"Fitted in {clock.Elapsed.TotalSeconds:F1} s.");

// Score the held-out edges: every row of a test user carries that user's M candidates.
var scored = model.Transform(test);
var metrics = mi.Evaluate(scored, heldOut: scored, itemEmbeddings: model.Transform(train));
Console.WriteLine();
Console.WriteLine($"kNN-Embed, K = prefixes of one list of {ClusterQuotaRetrieverDefaults.Candidates} ({clock.Elapsed.TotalSeconds:F1} s):");
Console.WriteLine(metrics);

// The protocol's figures retrieve each K separately (M = K): refit the last stage per K on the upstream output.
var upstream = new TransformerChain<ITransformer>(model.Take(model.Count() - 1).ToArray());
var fitData = upstream.Transform(train);
var heldOut = upstream.Transform(test);
Console.WriteLine();
var protocol = mi.EvaluateRetriever(fitData, heldOut, k => mi.ClusterQuotaRetriever(candidates: k));
Console.WriteLine($"kNN-Embed, one retrieval per K, as the protocol prescribes ({clock.Elapsed.TotalSeconds:F1} s):");
Console.WriteLine(protocol);
Console.WriteLine();
var unimodal = mi.EvaluateRetriever(fitData, heldOut, k => mi.UnimodalRetriever(candidates: k),
    new MultiInterestEvaluatorOptions { Representation = UserRepresentation.Unimodal });
Console.WriteLine($"Unimodal baseline, same embeddings ({clock.Elapsed.TotalSeconds:F1} s):");
Console.WriteLine(unimodal);
// The same test users, so the two rows pair user by user: the difference and its standard error.
var paired = protocol.Against(unimodal);
Console.WriteLine($"kNN-Embed minus Unimodal: Recall@50 {paired.Recall[50].Difference:+0.0000;-0.0000} ± {paired.Recall[50].StandardError:F4}, "
    + $"Diversity@10 {paired.Diversity[10].Difference:+0.0000;-0.0000} ± {paired.Diversity[10].StandardError:F4}");

// Candidates inherit the item key names, so MapKeyToValue turns them back into paper ids.
var named = ml.Transforms.Conversion.MapKeyToValue("UserId", MultiInterestColumnNames.User)
    .Append(ml.Transforms.Conversion.MapKeyToValue("CandidateIds", MultiInterestColumnNames.Candidates))
    .Fit(scored).Transform(scored);
var heldOutByUser = testRows.ToLookup(e => e.User, e => e.Item);
Console.WriteLine();
// A paper's own id can be among its candidates (its item vector is near its user vector): the protocol scores the lists as
// retrieved, so they are shown as retrieved and the id marked; a service leaves it out with recommender.ExcludingSelf()
// (README, "Serving").
Console.WriteLine("A few test users' top 10 candidates (* = a held-out citation, (self) = the paper itself, which ExcludingSelf() leaves out):");
foreach (var row in ml.Data.CreateEnumerable<CandidateRow>(named, reuseRowObject: false).DistinctBy(r => r.UserId).Take(3))
{
    var held = heldOutByUser[row.UserId].ToHashSet();
    Console.WriteLine($"  paper {row.UserId} (held out: {string.Join(" ", held)})");
    Console.WriteLine($"    {string.Join(" ", row.CandidateIds.Take(10).Select(id => held.Contains(id) ? id + "*" : id == row.UserId ? id + "(self)" : id))}");
}
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
