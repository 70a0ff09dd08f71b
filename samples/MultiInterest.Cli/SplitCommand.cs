using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.IO;

namespace MultiInterest.Cli;

/// <summary><c>split</c>: the protocol's hold-out applied to a user's own edge file.</summary>
internal static class SplitCommand
{
    public static int Run(CommandLine cl, TextWriter log)
    {
        string edges = cl.RequiredString("edges"), train = cl.RequiredString("train"), test = cl.RequiredString("test");
        var options = new HoldOutSplitOptions { Seed = cl.Int("seed", 20261123) };
        cl.RejectUnknown();
        var split = HoldOutSplitter.Split(EdgeFile.Read(edges), options);
        EdgeFile.Write(train, split.Train);
        EdgeFile.Write(test, split.Test);
        log.WriteLine($"{split.Train.Count:N0} training edges -> {train}; {split.Test.Count:N0} test edges -> {test}; {split.ReturnedToTraining:N0} returned to training (item unseen).");
        return 0;
    }
}
