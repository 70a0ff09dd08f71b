namespace Microsoft.ML.MultiInterest.IO;

/// <summary>
/// Opens a text file as the library's readers do: UTF-8, and gzip when the name ends in .gz (or, through a pipe, when the
/// bytes are gzip's), checked for truncation.
/// </summary>
public static class TextFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for reading. A .gz file is decompressed and, when its end is read, checked against the
    /// gzip trailer (CRC-32 and length), so a truncated or corrupt file throws instead of ending early. A pipe or device
    /// (/dev/stdin, a shell's &lt;(...)) that brings gzip's bytes is decompressed and checked alike, copied to a temporary file
    /// first when it cannot seek; plain text through one is read as it comes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>A reader the caller disposes.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is compressed otherwise than as gzip (bzip2, zip, xz, zstd, lz4, 7z), or its name and its gzip bytes
    /// disagree; while reading: the gzip file is truncated, corrupt or followed by bytes that are not gzip (the message names it).
    /// </exception>
    /// <exception cref="IOException">A gzip pipe could not be copied to a temporary file.</exception>
    public static StreamReader OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return TextTables.OpenRead(path);
    }

    /// <summary>
    /// The next line of <paramref name="reader"/> (opened by <see cref="OpenRead"/>), or null at its end. Text is read as
    /// strict UTF-8: bytes that are not (a Windows-1252 'é') throw, naming <paramref name="path"/> and
    /// <paramref name="lineNumber"/>, instead of becoming U+FFFD and changing an id.
    /// </summary>
    /// <param name="reader">The reader.</param>
    /// <param name="path">The file, for the message.</param>
    /// <param name="lineNumber">The 1-based number of the line being read, for the message.</param>
    /// <exception cref="InvalidDataException">The file holds bytes that are not UTF-8.</exception>
    /// <returns>The line without its end, or null at the end of the file.</returns>
    public static string? ReadLine(StreamReader reader, string path, int lineNumber) => TextTables.ReadLine(reader, path, lineNumber);
}
