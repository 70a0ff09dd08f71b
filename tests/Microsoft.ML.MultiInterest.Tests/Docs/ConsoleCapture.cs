namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// The tests that capture <see cref="Console.Out"/> (doc snippets printing their lists): one collection, so xunit runs them
/// one after another; in parallel, one test's lines land in another's writer.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCapture
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Console output";
}
