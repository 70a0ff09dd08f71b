using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.MultiInterest;
using MultiInterest.Cli.Common;

namespace MultiInterest.Benchmarks;

/// <summary>
/// <c>transform-guard --model ZIP</c>: prices the disposal guard <see cref="MultiInterestModel.Transformer"/> puts around the
/// loaded chain, whose <c>Transform</c> walks the call stack once per call to spot ML.NET's ONNX converter. Times the stack
/// walk alone, then <c>Transform</c> of a one-row view through the guarded chain and through the unguarded one
/// <c>mlContext.Model.Load</c> gives, alternately (docs/performance.md, "The disposal guard's price per Transform").
/// </summary>
internal static class TransformGuardCommand
{
    public static Command Create()
    {
        var model = Opt.Path("--model", "A zip fit saved (its input columns User and Item).", "ZIP", required: true);
        var user = new CliOption<string>("--user", "") { Description = "The user id of the one-row view (any id: an unknown one is served too)." };
        var item = new CliOption<string>("--item", "") { Description = "The item id of the one-row view." };
        var calls = BenchOpt.Count("--calls", 3000, "Timed Transform calls per round, after a tenth as many warm-up calls.", min: 1);
        var rounds = BenchOpt.Count("--rounds", 4, "Rounds, each timing the guarded chain and the unguarded one, in turn first.", min: 1);
        var command = new Command("transform-guard", "Transform through MultiInterestModel.Transformer's guard against the unguarded chain.")
            .With([model, user, item, calls, rounds]);
        command.SetAction(r => Run(r.Value(model)!, r.Value(user)!, r.Value(item)!, r.Value(calls), r.Value(rounds)));
        return command;
    }

    private static int Run(string path, string user, string item, int calls, int rounds)
    {
        var walk = new { depth0 = Walk(0), depth20 = Walk(20), depth60 = Walk(60) };

        var ml = new MLContext(seed: 1);
        using var guarded = MultiInterestModel.Load(ml, path);
        var plain = ml.Model.Load(path, out _);
        var input = ml.Data.LoadFromEnumerable([new OneRow { User = user, Item = item }]);
        var timed = new List<object>();
        for (int round = 0; round < rounds; round++)
        {
            // Each goes first in every other round: the first timed pass of a process pays for the JIT's later tiers.
            bool guardedFirst = round % 2 == 0;
            double first = TransformMicroseconds(guardedFirst ? guarded.Transformer : plain, input, calls);
            double second = TransformMicroseconds(guardedFirst ? plain : guarded.Transformer, input, calls);
            timed.Add(new
            {
                guardedFirst,
                guardedUs = JsonReport.Round(guardedFirst ? first : second, 1),
                plainUs = JsonReport.Round(guardedFirst ? second : first, 1),
            });
        }
        (plain as IDisposable)?.Dispose();
        JsonReport.Print(new { model = path, stackWalkUs = walk, rounds = timed });
        return 0;
    }

    private static double TransformMicroseconds(ITransformer transformer, IDataView input, int calls)
    {
        for (int i = 0; i < Math.Max(1, calls / 10); i++) transformer.Transform(input);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) transformer.Transform(input);
        return clock.Elapsed.TotalMicroseconds / calls;
    }

    private static double Walk(int depth) => JsonReport.Round(WalkMicroseconds(depth, 20_000), 2);

    private static double WalkMicroseconds(int depth, int calls)
    {
        for (int i = 0; i < calls / 10; i++) Deeper(depth);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) Deeper(depth);
        return clock.Elapsed.TotalMicroseconds / calls;
    }

    // Recursion puts `depth` more frames on the stack the walk reads, as a service's own call chain would.
    private static bool Deeper(int depth) => depth == 0 ? OnnxConversionGuard.Converting() : Deeper(depth - 1) && depth > 0;

    private sealed class OneRow
    {
        public string User { get; set; } = "";
        public string Item { get; set; } = "";
    }
}
