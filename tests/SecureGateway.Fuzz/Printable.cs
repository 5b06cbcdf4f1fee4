using System.Text.Json;

namespace SecureGateway.Fuzz;

/// <summary>Inputs printed so that a counterexample can be read and pasted into a unit test.</summary>
internal static class Printable
{
    /// <summary>A C#-pasteable string literal: control characters, non-ASCII and lone surrogates as \u escapes.</summary>
    public static string Quote(string s) => JsonSerializer.Serialize(s);

    /// <summary>Bytes as base64 with their length (zips, notes, tiles); long ones cut, as the seed replays them whole.</summary>
    public static string Bytes(ReadOnlySpan<byte> bytes)
    {
        string base64 = Convert.ToBase64String(bytes);
        return $"{bytes.Length} bytes, base64 {(base64.Length > 600 ? base64[..600] + "…" : base64)}";
    }
}
