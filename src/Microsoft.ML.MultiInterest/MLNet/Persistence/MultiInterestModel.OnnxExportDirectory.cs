using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The export directory's housekeeping around <see cref="ExportOnnx"/>: the unfinished mark that keeps a second export out.
/// (The refusal of a directory holding the user's own files and the removal of an earlier export's files this one does not
/// write again are every exporter's, one rule for all: docs/onnx.md, "The directory".)
/// </summary>
public sealed partial class MultiInterestModel
{
    /// <summary>Opens the unfinished mark for the export, unshared (deletable); refuses while another export holds it.</summary>
    private static FileStream HoldMarker(string marker, string directory)
    {
        try
        {
            // FileShare.None: an exclusive lock on Unix too (.NET takes flock LOCK_EX for it, a shared lock otherwise).
            return new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (IOException e) when (File.Exists(marker))
        {
            throw new IOException($"Another export is writing into '{directory}' (it holds {OnnxServingManifest.UnfinishedMarkerFileName}): wait for it to finish, "
                + "or export into another directory.", e);
        }
    }

    /// <summary>Removes the mark while still holding it (Unix), so no other export slips in between; where an open file cannot be deleted (Windows), after closing it.</summary>
    private static void Unmark(FileStream held, string marker)
    {
        try
        {
            File.Delete(marker);
        }
        catch (IOException)
        {
            held.Dispose();
            File.Delete(marker);
        }
    }

    /// <summary>Every file under <paramref name="directory"/> but the mark and the manifest, with its length and time: what an export changes.</summary>
    private static HashSet<(string, long, DateTime)> Snapshot(string directory, string marker) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => f != marker && Path.GetFileName(f) != OnnxServingDirectory.ManifestFileName)
            .Select(f => new FileInfo(f)).Select(f => (f.FullName, f.Length, f.LastWriteTimeUtc)).ToHashSet();
}
