using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SecureGateway.Audit;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;
using SecureGateway.Policy;

namespace SecureGateway.WebConsole.Pages;

/// <summary>The live policy bundle (revision, files, tests), the last refused one, and a candidate bundle's impact.</summary>
public sealed class PoliciesModel(LivePolicy live, AuditEventLog events, PolicyImpact impact, IOptions<GatewayOptions> options) : PageModel
{
    /// <summary>A file larger than this is listed but not shown.</summary>
    public const int MaxShownBytes = 256 * 1024;

    public PolicyBundle? Bundle => live.Current;

    public string Directory => live.Directory;

    public IReadOnlyList<(string Name, long Size, string? Text)> Files { get; private set; } = [];

    public PolicyTestReport? Tests { get; private set; }

    public AuditEvent? LastRefused { get; private set; }

    public string? CandidateDirectory => string.IsNullOrWhiteSpace(options.Value.CandidatePolicyDir) ? null : Path.GetFullPath(options.Value.CandidatePolicyDir);

    public ImpactReport? Impact { get; private set; }

    /// <summary>Why the candidate could not be assessed (it does not load).</summary>
    public IReadOnlyList<string> CandidateProblems { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Tests = Bundle?.RunTests();
        Files = ReadFiles(Directory);
        var refused = await events.FindAsync(new AuditEventQuery(AuditEventKinds.PolicyBundleRefused, 1), cancellationToken);
        LastRefused = refused.Count == 0 ? null : refused[0];
    }

    /// <summary>Evaluates the candidate against every decided version: a POST, since it costs one evaluation per version.</summary>
    [ConsoleAction(ConsolePolicies.Read)]
    public async Task OnPostImpactAsync(CancellationToken cancellationToken)
    {
        if (CandidateDirectory is { } candidate)
        {
            try
            {
                Impact = await impact.AssessAsync(PolicyBundle.Load(candidate), cancellationToken);
            }
            catch (PolicyBundleException e)
            {
                CandidateProblems = e.Problems;
            }
        }

        await OnGetAsync(cancellationToken);
    }

    private static List<(string, long, string?)> ReadFiles(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        return [.. System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => new FileInfo(path))
            .Select(file => (Path.GetRelativePath(directory, file.FullName), file.Length, file.Length <= MaxShownBytes ? System.IO.File.ReadAllText(file.FullName) : null))];
    }
}
