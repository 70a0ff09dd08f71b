using System.CommandLine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>
/// The <c>--weights</c> flag of every command that trains an embedding on a training file (evaluate, fit, sweep): one
/// spelling, one description. The weights reach the embedding trainer only; every other step reads the edges unweighted.
/// </summary>
internal static class WeightsOption
{
    /// <summary>The flag's name, as messages and the JSON files name it.</summary>
    public const string Name = "--weights";

    /// <summary>A new <c>--weights</c> flag.</summary>
    public static Option<bool> Create() => Opt.Flag(Name,
        "Train the embedding on the training file's weight column (user<TAB>item<TAB>weight: play counts, or a compression such as 1+log(count)): "
        + "every embedding fit, Auto's validation hold-out included, scales each edge by its weight, and a pair on several lines by their sum. "
        + "Clusters, mixtures, histories and the figures stay unweighted (a held-out edge counts once). Without it the weights are checked, not used.");
}
