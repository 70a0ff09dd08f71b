using System.Security.Cryptography;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// Signs a serving directory with a private key and verifies it with the public one, so that a service serves only the
/// exports of whoever holds the key. The checksums (docs/onnx.md, "Checksums") catch damage, not forgery: anyone who can
/// write the files can write their checksums too. A signature cannot be written without the private key.
/// </summary>
/// <remarks>
/// <para>
/// What is signed is <c>manifest.json</c> as the export wrote it, byte for byte: it records the SHA-256 of every file the
/// directory serves from and of its parts' manifests (<see cref="OnnxServingManifest.FileSha256"/>), and every scorer checks
/// those at opening, so the signature covers the whole directory. The signature is ECDSA over the manifest's SHA-256, DER
/// encoded (RFC 3279), in <see cref="FileName"/> beside the manifest: any client can check it, e.g.
/// <c>openssl dgst -sha256 -verify trusted.pem -signature manifest.json.sig manifest.json</c>. Each part a scorer opens as a
/// directory of its own (a fusion's sources, an MMR directory's pool, a merged conditional directory's halves) is signed
/// too, so that every opening can be verified on its own.
/// </para>
/// <para>
/// ECDSA signatures are randomised: signing the same directory twice gives two different files, each of which verifies.
/// An export into a signed directory (<see cref="MultiInterestModel.ExportOnnx"/> and <see cref="OnnxServingDirectory"/>'s
/// exports alike) removes each signature beside a manifest it writes with other bytes, or after an export that did not
/// finish (the same model exported again writes the same manifest, whose signature stays and still verifies), so an
/// unsigned re-export is unsigned. Sign again after each export.
/// </para>
/// </remarks>
public static class OnnxDirectorySignature
{
    /// <summary>The signature's file name, beside <c>manifest.json</c>.</summary>
    public const string FileName = OnnxServingDirectory.ManifestFileName + ".sig";

    /// <summary>
    /// Signs the serving directory <paramref name="directory"/> and each of its parts with <paramref name="signingKey"/>,
    /// after verifying every file its manifest records (a damaged directory is refused, not signed).
    /// </summary>
    /// <param name="directory">An export of this library, of a format that records checksums.</param>
    /// <param name="signingKey">An ECDSA key with its private part (for instance one read by <c>ECDsa.ImportFromPem</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="signingKey"/> holds no private key.</exception>
    /// <exception cref="InvalidDataException">
    /// The directory records no checksums (an export before format version 4), a file does not match its checksum, or the
    /// manifest changed while it was being signed.
    /// </exception>
    public static void Sign(string directory, ECDsa signingKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(signingKey);
        RequirePrivateKey(signingKey, nameof(signingKey));
        SignVerified(directory, signingKey);
    }

    private static void SignVerified(string directory, ECDsa signingKey)
    {
        string manifestPath = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"No ONNX serving manifest at '{manifestPath}': there is no export to sign.", manifestPath);
        byte[] signed = File.ReadAllBytes(manifestPath);
        var manifest = OnnxServingManifest.Read(directory);
        if (manifest.FormatVersion < OnnxServingManifest.ChecksumFormatVersion)
            throw new InvalidDataException($"The ONNX serving directory '{directory}' (manifest format version {manifest.FormatVersion}) records no checksums of its files, "
                + "so a signature of its manifest would not cover them: export it again with this library, then sign it.");
        OnnxServedFiles.Verify(directory, sessions: null);
        if (!File.ReadAllBytes(manifestPath).AsSpan().SequenceEqual(signed))
            throw new InvalidDataException($"The ONNX serving manifest '{manifestPath}' changed while it was being signed (an export wrote into the directory): sign it once the export has finished.");
        foreach (string part in manifest.PartDirectories()) SignVerified(Path.Combine(directory, part), signingKey);
        byte[] signature = signingKey.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        // Written beside and moved over, so that a reader never finds half a signature.
        string path = Path.Combine(directory, FileName), written = path + ".tmp";
        File.WriteAllBytes(written, signature);
        File.Move(written, path, overwrite: true);
    }

    /// <summary>
    /// Verifies that <paramref name="directory"/>'s manifest carries a signature <paramref name="trustedKey"/> verifies (the
    /// directory itself only: a scorer verifies each part as it opens it). The files the manifest records are checked against
    /// their checksums by the scorers, not here.
    /// </summary>
    /// <param name="directory">A serving directory.</param>
    /// <param name="trustedKey">The public key of the signer the caller trusts (a key with its private part works too).</param>
    /// <exception cref="InvalidDataException">The directory has no signature, or its signature does not verify.</exception>
    public static void Verify(string directory, ECDsa trustedKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(trustedKey);
        Verify(directory, trustedKey, () => File.ReadAllBytes(Path.Combine(directory, OnnxServingDirectory.ManifestFileName)));
    }

    /// <summary>
    /// <see cref="Verify(string, ECDsa)"/> over the manifest bytes <paramref name="readManifest"/> gives: an opening verifies
    /// the bytes it then parses and serves from (<see cref="OnnxVerifiedOpening"/>), not a second read of the file.
    /// </summary>
    internal static void Verify(string directory, ECDsa trustedKey, Func<byte[]> readManifest)
    {
        string manifestPath = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"No ONNX serving manifest at '{manifestPath}'.", manifestPath);
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new InvalidDataException($"The ONNX serving directory '{directory}' is not signed (it has no {FileName}), and only directories signed by the trusted key "
                + "are served (OnnxSessionFactory.TrustedSigningKey, recommend --trusted-key). Sign it where it was exported (OnnxDirectorySignature.Sign, or "
                + "export-onnx --signing-key), then copy it whole.");
        byte[] manifest = readManifest(), signature = File.ReadAllBytes(path);
        bool verified;
        // A key instance is not safe for concurrent use, and a factory may open directories on several threads.
        lock (trustedKey)
        {
            try
            {
                verified = trustedKey.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                verified = false;
            }
        }
        if (!verified)
            throw new InvalidDataException($"The signature '{path}' does not verify the manifest of '{directory}' with the trusted key: the directory was signed "
                + "with another key, or its manifest changed after it was signed (an export into the directory since, an edit, damage). It is not served. Sign it "
                + "again after each export, with the key whose public part the service trusts.");
    }

    private static void RequirePrivateKey(ECDsa key, string paramName)
    {
        try
        {
            key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException("The signing key holds no private key (a public key verifies signatures; signing needs the private key it belongs to).", paramName, e);
        }
    }
}
