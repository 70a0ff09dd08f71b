using System.Security.Cryptography;

namespace MultiInterest.Cli;

/// <summary>
/// The EC keys of <c>export-onnx --signing-key</c> and <c>recommend --trusted-key</c>, read from PEM files as openssl writes
/// them (<c>openssl ecparam -name prime256v1 -genkey -noout -out signing.pem</c>; <c>openssl ec -in signing.pem -pubout -out
/// trusted.pem</c>) or as .NET exports them.
/// </summary>
internal static class SigningKeyFile
{
    /// <summary>The private key of <paramref name="path"/>, for signing.</summary>
    /// <exception cref="InvalidDataException">The file holds no EC key, or a public key only; both named with <paramref name="option"/>.</exception>
    public static ECDsa ReadPrivate(string path, string option)
    {
        var key = Read(path, option);
        if (HasPrivatePart(key)) return key;
        key.Dispose();
        throw new InvalidDataException($"{option}: the file '{path}' holds a public key only, and signing needs the private key it belongs to "
            + "(a PEM 'EC PRIVATE KEY' or 'PRIVATE KEY', as openssl ecparam -name prime256v1 -genkey -noout -out signing.pem writes).");
    }

    /// <summary>The key of <paramref name="path"/>, for verifying; <paramref name="holdsPrivatePart"/> tells whether the file also held the private key.</summary>
    /// <exception cref="InvalidDataException">The file holds no EC key, named with <paramref name="option"/>.</exception>
    public static ECDsa ReadTrusted(string path, string option, out bool holdsPrivatePart)
    {
        var key = Read(path, option);
        holdsPrivatePart = HasPrivatePart(key);
        return key;
    }

    private static ECDsa Read(string path, string option)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{option}: the file '{path}' holds no EC key in PEM that can be read (an unencrypted 'EC PRIVATE KEY', 'PRIVATE KEY' or 'PUBLIC KEY' block). Give one "
                + "(make one with openssl ecparam -name prime256v1 -genkey -noout -out signing.pem, and its public part with openssl ec -in signing.pem -pubout -out trusted.pem).", e);
        }
    }

    private static bool HasPrivatePart(ECDsa key)
    {
        try
        {
            return key.ExportParameters(includePrivateParameters: true).D is { Length: > 0 };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
