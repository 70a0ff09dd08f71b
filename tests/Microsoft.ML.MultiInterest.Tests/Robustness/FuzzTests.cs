using System.Diagnostics;
using System.Text;
using CsCheck;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// Generated inputs (CsCheck) for the two readers of untrusted bytes: the edge-file parser (plain and gzip) and the
/// model loader. Each input must end in a result or the documented exception (docs/bad-inputs.md), never another
/// exception, a crash or a hang; each test is bounded in time.
/// </summary>
public class FuzzTests
{
    private const int Inputs = 10_000;

    /// <summary>Bound per test, well under CI's limit on 2 cores (the runs take a few seconds).</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(45);

    /// <summary>A mutation of a byte string: flip, overwrite with a structural byte, insert, delete, or cut at a position.</summary>
    private static readonly Gen<(int Kind, double Where, byte Value, int Count)> Mutation =
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
        var clock = Stopwatch.StartNew();
        Gen.Select(Mutation, Mutation).Sample((first, second) =>
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
        }, iter: Inputs, threads: 2);
        Assert.True(clock.Elapsed < Budget, $"{Inputs} model loads took {clock.Elapsed.TotalSeconds:F1} s (loaded {loaded}, refused {refused})");
        Assert.Equal(Inputs, loaded + refused);
        Assert.True(refused > 0);
    }

    private static void RunEdgeFuzz(byte[] valid, string fileName, Action<int>? checkEdges = null)
    {
        var directory = BadInputFixtures.Directory("fuzz");
        int parsed = 0, refused = 0, file = 0;
        var clock = Stopwatch.StartNew();
        Gen.Select(Mutation, Mutation, Gen.Bool).Sample((first, second, twice) =>
        {
            var bytes = Mutate(valid, first);
            if (twice) bytes = Mutate(bytes, second);
            string path = Path.Combine(directory, Interlocked.Increment(ref file) + "-" + fileName);
            File.WriteAllBytes(path, bytes);
            try
            {
                var edges = EdgeFile.Read(path);
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
            finally
            {
                File.Delete(path);
            }
        }, iter: Inputs, threads: 2);
        Assert.True(clock.Elapsed < Budget, $"{Inputs} parses took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Inputs, parsed + refused);
        Assert.True(parsed > 0 && refused > 0, $"parsed {parsed}, refused {refused}");
    }

    private static byte[] Mutate(byte[] bytes, (int Kind, double Where, byte Value, int Count) m)
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
