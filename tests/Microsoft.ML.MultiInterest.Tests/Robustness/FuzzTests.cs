using System.Text;
using CsCheck;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// Generated inputs (CsCheck) for the two readers of untrusted bytes: the edge-file parser (plain and gzip) and the
/// model loader. Each input must end in a result or the documented exception (docs/bad-inputs.md), never another
/// exception, a crash or a hang; each input is bounded in time (<see cref="SlowestInput"/>).
/// </summary>
public class FuzzTests
{
    private const int Inputs = 10_000;

    /// <summary>A mutation of a byte string: flip, overwrite with a structural byte, insert, delete, or cut at a position.</summary>
    internal static readonly Gen<(int Kind, double Where, byte Value, int Count)> Mutation =
        Gen.Select(Gen.Int[0, 4], Gen.Double[0, 1], Gen.Byte, Gen.Int[1, 4]);

    private static readonly byte[] Structural = "\t\n\r 0a-.#\0"u8.ToArray();

    [Fact]
    public void EdgeParser_PlainText_EndsInEdgesOrANamedInvalidDataException()
    {
        var valid = Encoding.UTF8.GetBytes("user\titem\tweight\n" + string.Concat(Enumerable.Range(0, 30).Select(e => $"u{e % 7}\ti{e * 5 % 11}\t{1 + e % 3}\n")));
        RunEdgeFuzz(valid, "plain.tsv");
    }

    [Fact]
    public void EdgeParser_Gzip_EndsInEdgesOrANamedInvalidDataException()
    {
        var valid = BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(200)));
        int complete = EdgeFile.Read(BadInputFixtures.Bytes("valid.tsv.gz", valid)).Count;
        RunEdgeFuzz(valid, "packed.tsv.gz", edges => Assert.True(edges <= 1000, $"{edges} edges from a {complete}-edge file"));
    }

    [Fact]
    public void ModelLoader_MutatedZips_EndInAModelOrAnInvalidDataException()
    {
        var valid = BadInputFixtures.ModelZip;
        Assert.NotNull(MultiInterestModel.Load(new MLContext(), new MemoryStream(valid)).GraphEmbedding);
        int loaded = 0, refused = 0;
        using var contexts = new ThreadLocal<MLContext>(() => new MLContext(seed: 1));
        var slowest = new SlowestInput();
        Gen.Select(Mutation, Mutation).Sample((first, second) => slowest.Time(() =>
        {
            var bytes = Mutate(Mutate(valid, first), second);
            try
            {
                var model = MultiInterestModel.Load(contexts.Value!, new MemoryStream(bytes));
                Assert.NotNull(model.Transformer);
                Interlocked.Increment(ref loaded);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("model", e.Message, StringComparison.OrdinalIgnoreCase);
                Interlocked.Increment(ref refused);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"Undocumented exception for a {bytes.Length}-byte zip: {e}");
            }
        }), iter: Inputs, threads: 2);
        slowest.AssertBounded("mutated zip's load");
        Assert.Equal(Inputs, loaded + refused);
        Assert.True(refused > 0);
    }

    /// <summary>
    /// Damage inside the entries, re-zipped with correct checksums, so that ML.NET's loader and ONNX Runtime see it (a damaged
    /// zip is refused before them). Only 100 inputs: each reaches ONNX session creation (about 80 ms on 2 cores).
    /// </summary>
    [Fact]
    public void ModelLoader_MutatedEntries_EndInAModelOrAnInvalidDataException()
    {
        var entries = Entries(BadInputFixtures.ModelZip);
        int loaded = 0, refused = 0;
        using var contexts = new ThreadLocal<MLContext>(() => new MLContext(seed: 1));
        var slowest = new SlowestInput();
        Gen.Select(Gen.Int[0, entries.Count - 1], Mutation, Mutation).Sample((which, first, second) => slowest.Time(() =>
        {
            var mutated = entries.ToList();
            mutated[which] = (mutated[which].Name, Mutate(Mutate(mutated[which].Content, first), second));
            try
            {
                var model = MultiInterestModel.Load(contexts.Value!, new MemoryStream(Zip(mutated)));
                Assert.NotNull(model.Transformer);
                Interlocked.Increment(ref loaded);
            }
            catch (InvalidDataException)
            {
                Interlocked.Increment(ref refused);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"Undocumented exception for damage in entry '{mutated[which].Name}': {e}");
            }
        }), iter: 100, threads: 2);
        slowest.AssertBounded("damaged entry's load");
        Assert.True(refused > 0);
    }

    [Fact]
    public void ModelLoader_AKeyMappingWhoseDamagedCountOverflows_IsAnInvalidDataException()
    {
        // Found by the property above (CsCheck seed 9A1nL-4YB0-5): ML.NET's loader of the user key mapping threw an
        // OverflowException inside its reflection wrappers, which Load did not yet count as damage.
        var mutated = Entries(BadInputFixtures.ModelZip);
        Assert.EndsWith("Model.key", mutated[7].Name, StringComparison.Ordinal);
        mutated[7] = (mutated[7].Name, Mutate(Mutate(mutated[7].Content, (0, 0.5852314275960124, 162, 4)), (1, 5d / 32, 231, 4)));
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(seed: 1), new MemoryStream(Zip(mutated))));
        var causes = new List<Exception>();
        for (var x = e.InnerException; x != null; x = x.InnerException) causes.Add(x);
        Assert.Contains(causes, x => x is OverflowException);
    }

    [Fact]
    public void ModelLoader_AStageWhoseColumnNameEntryIsDamaged_IsAnInvalidDataException()
    {
        // Found by ModelLoader_MutatedEntries_EndInAModelOrAnInvalidDataException (CsCheck seed 1Cg8I6qsw8V3, CI of
        // 2026-12-05): a byte of the graph embedding stage's metadata key changed, the stage read an empty column name, and
        // ML.NET's schema lookup refused it with an ArgumentNullException.
        var mutated = Entries(BadInputFixtures.ModelZip);
        Assert.EndsWith("OnnxModel", mutated[16].Name, StringComparison.Ordinal);
        mutated[16] = (mutated[16].Name, Mutate(Mutate(mutated[16].Content, (0, 0.973115466005338, 65, 1)), (1, 1, 190, 1)));
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(seed: 1), new MemoryStream(Zip(mutated))));
        Assert.Contains("metadata entry", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ModelLoader_ASchemaEntryWithDamagedBlockSizes_IsAnInvalidDataException()
    {
        // Found by ModelLoader_MutatedEntries_EndInAModelOrAnInvalidDataException (CsCheck seed bIvOzGh5wDx1, a repeated run
        // of the suite on 2026-12-05): ML.NET's binary loader read the damaged schema's columns with different rows per block
        // and refused them with a NotSupportedException, which Load did not yet count as damage.
        var mutated = Entries(BadInputFixtures.ModelZip);
        Assert.EndsWith("Schema", mutated[45].Name, StringComparison.Ordinal);
        mutated[45] = (mutated[45].Name, Mutate(Mutate(mutated[45].Content, (1, 0.9255024139268797, 230, 1)), (1, 0.14850934959015993, 116, 4)));
        var e = Assert.Throws<InvalidDataException>(() => MultiInterestModel.Load(new MLContext(seed: 1), new MemoryStream(Zip(mutated))));
        Assert.Contains("not a readable ML.NET model zip", e.Message, StringComparison.Ordinal);
        Assert.IsType<NotSupportedException>(e.InnerException);
    }

    [Fact]
    public void ModelLoader_APlatformNotSupportedException_IsNotCountedAsDamage()
    {
        // PlatformNotSupportedException is a NotSupportedException: a capability this process lacks (a platform, a native
        // runtime's feature), not damage to the file, so Load must not call a sound model corrupt for it.
        var platform = new System.Reflection.TargetInvocationException(new PlatformNotSupportedException("Operation is not supported on this platform."));
        Assert.Null(MultiInterestModel.CorruptModel(platform));
        var layout = new System.Reflection.TargetInvocationException(new NotSupportedException("Columns with different rows per block are not supported."));
        Assert.IsType<NotSupportedException>(MultiInterestModel.CorruptModel(layout));
    }

    private static List<(string Name, byte[] Content)> Entries(byte[] zipBytes)
    {
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(zipBytes));
        return zip.Entries.Select(e =>
        {
            using var content = e.Open();
            var buffer = new MemoryStream();
            content.CopyTo(buffer);
            return (e.FullName, buffer.ToArray());
        }).ToList();
    }

    private static byte[] Zip(List<(string Name, byte[] Content)> entries)
    {
        var buffer = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, System.IO.Compression.CompressionLevel.Fastest).Open();
                stream.Write(content);
            }
        return buffer.ToArray();
    }

    private static void RunEdgeFuzz(byte[] valid, string fileName, Action<int>? checkEdges = null)
    {
        int parsed = 0, refused = 0, file = 0;
        var slowest = new SlowestInput();
        Gen.Select(Mutation, Mutation, Gen.Bool).Sample((first, second, twice) => slowest.Time(() =>
        {
            var bytes = Mutate(valid, first);
            if (twice) bytes = Mutate(bytes, second);
            // In memory, named as a file: the reader is the one EdgeFile.Read(path) uses, without 10,000 files on disk.
            string path = Interlocked.Increment(ref file) + "-" + fileName;
            try
            {
                var edges = EdgeFile.Read(new MemoryStream(bytes, writable: false), path);
                Assert.All(edges, e => Assert.True(e.User.Length > 0 && e.Item.Length > 0 && float.IsFinite(e.Weight) && e.Weight > 0));
                checkEdges?.Invoke(edges.Count);
                Interlocked.Increment(ref parsed);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(path, e.Message);
                Interlocked.Increment(ref refused);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"Undocumented exception for {fileName}: {e}");
            }
        }), iter: Inputs, threads: 2);
        slowest.AssertBounded("parse");
        Assert.Equal(Inputs, parsed + refused);
        Assert.True(parsed > 0 && refused > 0, $"parsed {parsed}, refused {refused}");
    }

    internal static byte[] Mutate(byte[] bytes, (int Kind, double Where, byte Value, int Count) m)
    {
        int at = (int)(m.Where * bytes.Length);
        if (at >= bytes.Length) at = Math.Max(0, bytes.Length - 1);
        switch (m.Kind)
        {
            case 0: // flip bits
                if (bytes.Length == 0) return bytes;
                var flipped = (byte[])bytes.Clone();
                flipped[at] ^= (byte)(m.Value == 0 ? 1 : m.Value);
                return flipped;
            case 1: // overwrite with a structural byte (tab, newline, digit, ...)
                if (bytes.Length == 0) return bytes;
                var structural = (byte[])bytes.Clone();
                structural[at] = Structural[m.Value % Structural.Length];
                return structural;
            case 2: // insert
                return [.. bytes[..at], .. Enumerable.Repeat(m.Value, m.Count), .. bytes[at..]];
            case 3: // delete
                return [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + m.Count)..]];
            default: // cut
                return bytes[..at];
        }
    }
}
