using System.Text.Encodings.Web;
using System.Text.Json;

namespace MultiInterest.Benchmarks;

/// <summary>Prints a command's report as one indented JSON object with snake_case names.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="report"/> to standard output.</summary>
    public static void Print(object report) => Console.WriteLine(JsonSerializer.Serialize(report, Options));

    /// <summary><paramref name="value"/> rounded to <paramref name="digits"/> decimals (JSON stays short).</summary>
    public static double Round(double value, int digits = 3) => Math.Round(value, digits);
}
