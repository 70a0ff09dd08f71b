using System.CommandLine;
using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli.Common;

namespace MultiInterest.Cli;

internal sealed partial class EmbeddingFlags
{
    /// <summary>
    /// The usage error naming the flag for a refusal of the embedding's options that only the training edges can tell, raised
    /// while fitting by the library's option name: a truncated SVD (or negative sampling started from one) of more components
    /// than min(users, items), "Dimension 5000 exceeds min(users, items) = 60: ...", is said as the options' own checks say it,
    /// "Embedding option Dimension (from --dim): ..."; so is a validation cutoff not below the items, whose steps chosen on a
    /// hold-out would be the first (ValidationCutoff, --validation-k). Null for any other exception, which keeps its own words.
    /// </summary>
    /// <param name="e">The exception the fit ended with.</param>
    /// <param name="r">The parsed command line.</param>
    public UsageException? ByFlag(Exception e, ParseResult r) => e switch
    {
        // The value must be --dim's (given or its default): a learned model's own dimension (--dcm-dim, --mix-dim) is another flag's.
        ArgumentOutOfRangeException { ParamName: nameof(GraphEmbeddingOptions.Dimension), ActualValue: int value } outOfRange when value == r.Value(Dimension)
            => OptionErrors.Usage("Embedding", outOfRange, r, new Dictionary<string, Option> { [nameof(GraphEmbeddingOptions.Dimension)] = Dimension }),
        ArgumentOutOfRangeException { ParamName: nameof(GraphEmbeddingOptions.ValidationCutoff), ActualValue: int value } outOfRange when value == r.Value(ValidationK)
            => OptionErrors.Usage("Embedding", outOfRange, r, new Dictionary<string, Option> { [nameof(GraphEmbeddingOptions.ValidationCutoff)] = ValidationK }),
        _ => null,
    };
}
