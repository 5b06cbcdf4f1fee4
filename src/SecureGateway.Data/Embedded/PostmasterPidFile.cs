using System.Diagnostics;

namespace SecureGateway.Data.Embedded;

/// <summary>What a postmaster.pid left in the data directory means.</summary>
internal enum LeftoverServer
{
    /// <summary>No postmaster.pid: the cluster was shut down cleanly.</summary>
    None,

    /// <summary>The server of a previous run still serves this directory.</summary>
    Running,

    /// <summary>The server died (a crash) and its PID is gone: PostgreSQL itself checks and replaces such a file.</summary>
    Crashed,

    /// <summary>
    /// The file is unreadable, or its PID now belongs to another process (PIDs are reused, in containers
    /// soon): PostgreSQL would refuse to start, so the file must go.
    /// </summary>
    Foreign,
}

/// <summary>Reads postmaster.pid to tell a server left running from a crash's leftover.</summary>
internal static class PostmasterPidFile
{
    private const string FileName = "postmaster.pid";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    /// <summary>The port a running server listens on: the fourth line of postmaster.pid.</summary>
    public static int? Port(string dataDirectory) =>
        File.ReadLines(PathIn(dataDirectory)).Skip(3).FirstOrDefault() is { } line && int.TryParse(line, out var port) ? port : null;

    /// <remarks>
    /// A live PID is not enough: after a crash (and in containers, where PIDs restart low) the number is
    /// often reused. The server's working directory is its data directory, so reading postmaster.pid
    /// through /proc/PID/cwd and finding the same PID, directory and start time proves it is ours.
    /// Where /proc cannot answer, a live process named postgres counts as ours: stopping it by mistake
    /// is safer than starting a second server on the same files.
    /// </remarks>
    public static (LeftoverServer State, int Pid) Inspect(string dataDirectory)
    {
        string[] ours;
        try
        {
            ours = File.ReadLines(PathIn(dataDirectory)).Take(3).ToArray();
        }
        catch (FileNotFoundException)
        {
            return (LeftoverServer.None, 0);
        }

        if (ours.Length == 0 || !int.TryParse(ours[0], out var pid) || pid <= 0)
        {
            return (LeftoverServer.Foreign, 0);
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return (LeftoverServer.Crashed, pid);
            }

            var byName = process.ProcessName == "postgres" ? LeftoverServer.Running : LeftoverServer.Foreign;
            if (!Directory.Exists($"/proc/{pid}"))
            {
                return (byName, pid);
            }

            try
            {
                var theirs = File.ReadLines($"/proc/{pid}/cwd/{FileName}").Take(3);
                return (ours.SequenceEqual(theirs) ? LeftoverServer.Running : LeftoverServer.Foreign, pid);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return (LeftoverServer.Foreign, pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (byName, pid);
            }
        }
        catch (ArgumentException)
        {
            return (LeftoverServer.Crashed, pid);
        }
    }
}
