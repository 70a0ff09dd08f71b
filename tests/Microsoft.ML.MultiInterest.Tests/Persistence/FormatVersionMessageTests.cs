using Microsoft.ML.MultiInterest.Tests.Robustness;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>A zip from a newer library is refused as what it is, not as a damaged zip.</summary>
public sealed class FormatVersionMessageTests
{
    [Fact]
    public void A_newer_format_is_said_once_and_not_called_corrupt()
    {
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(), new MemoryStream(BadInputFixtures.ModelZipWithVersion("99"))));
        Assert.StartsWith("The model stream: stage 'GraphEmbedding' was saved in format version 99 by Microsoft.ML.MultiInterest 9.9.0, this library (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"reads versions 1 to {SavedModelFormat.Version}; update Microsoft.ML.MultiInterest to 9.9.0 or later.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("corrupt", e.Message, StringComparison.Ordinal);
    }
}
