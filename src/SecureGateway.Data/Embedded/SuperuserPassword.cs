using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace SecureGateway.Data.Embedded;

/// <summary>
/// The cluster superuser's password: generated once at initdb, kept in a 0600 file in the data directory
/// owned by the gateway's user (who must read it; the server account does not need to).
/// </summary>
internal static class SuperuserPassword
{
    public const string FileName = "superuser.password";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>192 random bits as hex: nothing to escape in a connection string or a file.</summary>
    public static string Generate() => RandomNumberGenerator.GetHexString(48, lowercase: true);

    /// <summary>Writes <paramref name="password"/> to a new 0600 file (never briefly readable by others).</summary>
    [UnsupportedOSPlatform("windows")]
    public static void WriteFile(string path, string password)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly };
        using var writer = new StreamWriter(path, options);
        writer.Write(password);
    }

    /// <summary>Stores the password in the data directory; written aside and renamed, so it is whole or absent.</summary>
    [UnsupportedOSPlatform("windows")]
    public static void Store(string dataDirectory, string password)
    {
        var path = Path.Combine(dataDirectory, FileName);
        var pending = path + ".new";
        File.Delete(pending);
        WriteFile(pending, password);
        File.Move(pending, path, overwrite: true);
    }

    public static string Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new EmbeddedPostgresException(
                $"The embedded PostgreSQL cluster in {dataDirectory} exists but its password file {FileName} is missing,"
                + " so nothing can log in. Restore the file, or delete the directory to create a new, empty cluster.");
        }

        return File.ReadAllText(path).Trim();
    }
}
