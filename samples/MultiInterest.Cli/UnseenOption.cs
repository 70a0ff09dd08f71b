using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

/// <summary>The --unseen option of every command that scores a test file (evaluate, sweep --test): one spelling, one default.</summary>
internal static class UnseenOption
{
    /// <summary>A new --unseen option (miss by default, as the library's evaluator).</summary>
    public static CliOption<UnseenHeldOut> Create() => Opt.Choice("--unseen", EvaluationDefaults.Unseen, u => u.ToString().ToLowerInvariant(),
        "Test edges of users or items unseen in training: misses, or left out of the figures.");
}
