using System.Globalization;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>--seed</c> is the seed of every seeded stage: the same seed twice gives the same output, and another seed changes
/// what it seeds.
/// </summary>
public sealed class CliSeedTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-seed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void Evaluate_seeds_the_clustered_neighbour_index_with_its_seed()
    {
        // Until 2026-12-06 the clustered index took seed 0 whatever --seed said, so its approximate neighbours never changed.
        var (train, test) = CliHarness.WriteSplit(_directory);
        // Given vectors and clusters: the index is then the one seeded stage that decides the kNN-Embed mixtures.
        var random = new Random(5);
        string Row(string id) => id + "\t" + string.Join('\t', Enumerable.Range(0, 4).Select(_ => (random.NextDouble() - 0.5).ToString("R", CultureInfo.InvariantCulture)));
        File.WriteAllLines(PathOf("users.tsv"), ["id\tv0\tv1\tv2\tv3", .. Enumerable.Range(0, 80).Select(u => Row($"u{u}"))]);
        File.WriteAllLines(PathOf("items.tsv"), ["id\tv0\tv1\tv2\tv3", .. Enumerable.Range(0, 120).Select(i => Row($"i{i}"))]);
        File.WriteAllLines(PathOf("clusters.tsv"), ["item\tcluster", .. Enumerable.Range(0, 120).Select(i => $"i{i}\t{i % 6}")]);

        string[] KnnMixtures(int seed, string run)
        {
            string output = PathOf(run);
            var result = CliHarness.Run("evaluate", "--train", train, "--test", test, "--user-embeddings", PathOf("users.tsv"),
                "--item-embeddings", PathOf("items.tsv"), "--item-clusters", PathOf("clusters.tsv"), "--neighbor-index", "clustered",
                "--neighbor-lists", "8", "--neighbor-probes", "1", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--threads", "1",
                "--out", output, "--export", "--plot-users", "0");
            Assert.True(result.ExitCode == 0, result.Error);
            return [.. File.ReadLines(Path.Combine(output, "mixtures.tsv")).Where(l => l.Split('\t')[1] == "knn_embed")];
        }

        var first = KnnMixtures(1, "a");
        Assert.NotEmpty(first);
        Assert.Equal(first, KnnMixtures(1, "b"));
        Assert.Contains(Enumerable.Range(2, 4), seed => !KnnMixtures(seed, $"s{seed}").SequenceEqual(first));
    }
}
