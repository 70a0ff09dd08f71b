using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Serving;

/// <summary>
/// A fitted and a loaded model used from 8 threads x 1,000 requests each (Transform cursors, prediction engines, Recommend)
/// give exactly the lists of sequential use.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Threads = 8, RequestsPerThread = 1000;

    [Theory]
    [InlineData("quota")]
    [InlineData("round-robin-dcm")]
    public void EightThreads_ThousandRequestsEach_EqualSequentialResults(string retriever)
    {
        using var world = retriever == "quota" ? new ServingWorld()
            : new ServingWorld(mi => mi.RoundRobinRetriever(candidates: 5), RoundRobinRetrieverMLNetTests.Embedding("dcm"));
        var ml = world.Ml;
        var mi = ml.MultiInterest();
        var fitted = mi.CreateRecommender(world.Fitted);
        var loaded = mi.CreateRecommender(world.Loaded);
        var requests = world.Requests(RequestsPerThread, seed: 21);
        var plainRequests = requests.Select(r => new ServingWorld.Request { User = r.User }).ToList();
        var view = world.Fitted.Transform(ml.Data.LoadFromEnumerable(requests));
        var loadedView = world.Loaded.Transformer.Transform(ml.Data.LoadFromEnumerable(plainRequests));

        // Sequential reference.
        var expected = requests.Select(r => Key(fitted.Recommend(r.User, r.History))).ToArray();
        var expectedLoadedChain = ServingWorld.Read(loadedView).Select(Key).ToArray();
        Assert.Equal(expected, ServingWorld.Read(view).Select(Key));

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var engine = ml.Model.CreatePredictionEngine<ServingWorld.Request, ServingWorld.Response>(world.Fitted);
            var loadedEngine = ml.Model.CreatePredictionEngine<ServingWorld.Request, ServingWorld.Response>(world.Loaded.Transformer);
            var itemIds = MultiInterestRecommender.FindRetriever(world.Fitted)!.ItemIds;
            // Each thread walks the requests from its own offset, so different requests run at the same time.
            for (int n = 0; n < RequestsPerThread; n++)
            {
                int q = (n + t * 125) % RequestsPerThread;
                var r = requests[q];
                string got = (n % 4) switch
                {
                    0 => Key(fitted.Recommend(r.User, r.History)),
                    1 => Key(loaded.Recommend(r.User, r.History)),
                    2 => Key(engine.Predict(r), itemIds),
                    _ => Key(loadedEngine.Predict(plainRequests[q]), itemIds),
                };
                string want = n % 4 == 3 ? expectedLoadedChain[q] : expected[q];
                if (got != want) failures.Add($"thread {t}, request {q}, path {n % 4}: {got} != {want}");
            }
            // And a whole Transform cursor per thread over the shared views.
            var rows = ServingWorld.Read(view).Select(Key).ToArray();
            if (!rows.SequenceEqual(expected)) failures.Add($"thread {t}: a Transform cursor differs");
            if (!ServingWorld.Read(loadedView).Select(Key).SequenceEqual(expectedLoadedChain)) failures.Add($"thread {t}: a loaded Transform cursor differs");
        });
        Assert.Empty(failures);
    }

    private static string Key(RecommendationList list) =>
        list.Source + ":" + string.Join(",", list.Items.Select(i => $"{i.ItemId}={i.Score:R}"));

    private static string Key((string[] Items, float[] Scores, string Source) row) =>
        row.Source + ":" + string.Join(",", row.Items.Zip(row.Scores, (i, s) => $"{i}={s:R}"));

    private static string Key(ServingWorld.Response response, IReadOnlyList<string> itemIds)
    {
        int count = response.Candidates.TakeWhile(k => k != 0).Count();
        return response.CandidateSource + ":" + string.Join(",", response.Candidates[..count].Select((k, r) => $"{itemIds[(int)k - 1]}={response.CandidateScores[r]:R}"));
    }
}
