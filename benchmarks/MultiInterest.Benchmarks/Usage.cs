using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// The harness's help text (printed by <c>--help</c> and after a usage error). The defaults shown are read from the
/// library's *Defaults classes and the harness's own settings, so the text cannot drift from the code.
/// </summary>
internal static class Usage
{
    private static readonly RetrievalSettings Retrieval = new();
    private static readonly SyntheticGraphOptions Synthetic = new();

    public static readonly string Text = string.Create(CultureInfo.InvariantCulture, $"""
usage: MultiInterest.Benchmarks COMMAND [options]     (every command but kernels prints one JSON object on stdout)

  embed --train FILE --test FILE [options]
      Graph embedding speed (edges/s, CPU time) and unimodal Recall@10/50.
      --dim N ({GraphEmbeddingDefaults.Dimension}) --epochs N ({GraphEmbeddingDefaults.Epochs}) --loss logistic|ranking|softmax ({Lower(GraphEmbeddingDefaults.Loss)}) --optimizer adagrad|sgd ({Lower(GraphEmbeddingDefaults.Optimizer)})
      --lr X ({GraphEmbeddingDefaults.LearningRate}) --margin X ({GraphEmbeddingDefaults.Margin}) --chunk N ({GraphEmbeddingDefaults.ChunkSize}) --uniform-negatives N ({GraphEmbeddingDefaults.UniformNegatives}) --batch-negatives N ({GraphEmbeddingDefaults.BatchNegatives})
      --degree-negatives N ({GraphEmbeddingDefaults.DegreeNegatives}) --degree-exponent X ({GraphEmbeddingDefaults.DegreeExponent}) --init X ({GraphEmbeddingDefaults.InitScale}) --seed N ({GraphEmbeddingDefaults.Seed}) --threads N (0 = all) --verbose
      (--uniform, --batch, --degree are short forms of the negative counts)

  divide-conquer --ratings FILE [--dim N (64) --epochs N (40, at most) --negatives N (20) --patience N (4) --threads N (1) --seed N (1) --out FILE.json --quick]
      Kuaishou's divide-and-conquer table under its protocol on a ratings file (user item rating timestamp, e.g. MovieLens
      u.data): last item = test, penultimate = validation, Recall@20/50 over all unseen items; MF, history encoder, tuned
      negative mix, divide-and-conquer with and without prompts, every setting chosen on the validation item (markdown on stdout).

  kmeans --vectors FILE.tsv --clusters N [--iterations N ({SphericalKMeansDefaults.MaxIterations}) --threads N ({KMeansCommand.DefaultThreads}) --seed N ({SphericalKMeansDefaults.Seed}) --init CENTROIDS.tsv]
      Spherical k-means (k-means++ seeding or the given starting centroids, tolerance 0); benchmarks/peers runs it
      beside FAISS and scikit-learn (INIT=shared gives all three the same starting centroids).

  knn --train FILE --test FILE [--artifacts DIR | --user-embeddings F --item-embeddings F [--item-clusters F]] [options]
      Serving stages for every test user, timed separately: exact user neighbours (cosine, k), kNN smoothing,
      cluster-quota retrieval of M candidates (no unimodal fallback), and the exact unimodal top-M over all items
      (with the training items excluded, and without as FAISS does). Also the mean item dot products per user of
      quota retrieval against the item count. --artifacts DIR reads DIR/user_embeddings.tsv, item_embeddings.tsv and
      item_clusters.tsv (what `reproduce --out DIR --export` writes); without files it trains and clusters like reproduce:
      --dim N ({GraphEmbeddingDefaults.Dimension}) --epochs N ({GraphEmbeddingDefaults.Epochs}) --loss L --lr X --uniform-negatives N --batch-negatives N --clusters N ({SphericalKMeansDefaults.NumberOfClusters})
      --iterations N ({SphericalKMeansDefaults.MaxIterations}) --seed N ({GraphEmbeddingDefaults.Seed})
      --components N ({Retrieval.Components}) --neighbors N ({Retrieval.Neighbors}) --lambda X ({Retrieval.Lambda}) --alpha X ({Retrieval.Alpha}) --candidates N ({Retrieval.Candidates}) --threads N ({Retrieval.Threads})
      --max-users N (0 = all test users) --repeats N (3: each stage reports median and best) --no-warmup --no-unimodal
      --mle-embeddings (unsmoothed mixtures with component embeddings: faster smoothing, m*d floats more per user)
      --neighbor-index exact|clustered ({Lower(Retrieval.NeighborIndex)}) --neighbor-lists N ({Retrieval.NeighborLists} = about 4 sqrt(users)) --neighbor-probes N ({Retrieval.NeighborProbes}):
      the clustered (IVF) index also reports its lists, rows scanned and recall@k against an untimed exact search

  synth --edges N [--seed N (1) --communities N (0 = min(2000, items/14)) --tail X ({Synthetic.DegreeTail}) --zipf X ({Synthetic.PopularityExponent})
        --noise X ({Synthetic.Noise}) --max-interests N ({Synthetic.MaxInterests}) --out DIR]
      Synthetic power-law graph with planted communities (cit-HepPh's ~34k users and ~28k items per 330k edges),
      generated in memory and split by the protocol's hold-out; reports its shape. --out writes train.tsv.gz,
      test.tsv.gz and planted_clusters.tsv (small graphs only). N takes k/M suffixes: 100k, 1M, 5M, 20M.

  scale --edges N [synth options] [--epochs N (2) --dim N ({GraphEmbeddingDefaults.Dimension}) --clusters N ({SphericalKMeansDefaults.NumberOfClusters}) --iterations N ({SphericalKMeansDefaults.MaxIterations})
        --max-users N (10000; 0 = all test users) --repeats N (1) and the knn stage options]
      Generates the synthetic graph in memory and runs every stage on it (embedding, k-means, mixtures, neighbours,
      smoothing, quota retrieval, unimodal baseline): seconds per stage, users/s, memory after each stage, peak
      working set, and live managed memory after a forced full collection at each snapshot (outside the timed
      spans; --no-live-memory skips those collections).

  kernels [BenchmarkDotNet options]
      Kernel micro-benchmarks under BenchmarkDotNet, one thread, cit-HepPh-sized random data: exact top-k search
      (unimodal and neighbours, k = 10 and 50), spherical k-means (seeding + 1 and + 5 Lloyd iterations), vector kernels
      (dot product, widened scaled accumulation, top-50 selection), one embedding epoch on a 300k-edge synthetic graph.
      Without options runs all; e.g. --filter *SearchKernels* --job short --exporters json. Results go to
      BenchmarkDotNet.Artifacts/ in the working directory.
""");

    private static string Lower(Enum value) => value.ToString().ToLowerInvariant();
}
