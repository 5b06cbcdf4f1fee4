using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SecureGateway.Access;
using SecureGateway.Admission;
using SecureGateway.Hosting;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Observability;
using SecureGateway.Storage;

namespace SecureGateway.Protocol;

public static class ModuleProtocolEndpoints
{
    private static readonly ParsedRequests Parsed = new();

    /// <summary>
    /// GET and HEAD <c>/{module}/@v/list</c>, <c>/{module}/@latest</c>, <c>/{module}/@v/{version}.info|.mod|.zip</c>.
    /// Artefacts are served from the cache only while the version's current decision admits it (the decision is the
    /// authority, the cache is storage), after admission put them there (Athens' download → stash → storage).
    /// </summary>
    public static IEndpointRouteBuilder MapModuleProtocol(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], HandleAsync).RequireGatewayClient();
        return endpoints;
    }

    // A value task: a cached artefact is answered without awaiting anything, and then costs no task.
    private static async ValueTask<IResult> HandleAsync(
        HttpContext context, AdmissionService admission, ServingDecisions serving, VersionQueries versions, GatewayStorage storage,
        HotArtefacts hot, DownloadLedger ledger, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var request = Parsed.Parse(RawPath(context), out var error);
        if (request is null)
        {
            return error is null
                ? ProxyResults.Text(StatusCodes.Status404NotFound, $"not found: {context.Request.Path} is not a GOPROXY endpoint")
                : ProxyResults.Text(StatusCodes.Status400BadRequest, $"bad request: {error}");
        }

        switch (request.Endpoint)
        {
            case ModuleEndpoint.List:
                return await versions.ListAsync(request.ModulePath, cancellationToken);
            case ModuleEndpoint.Latest:
                return await versions.LatestAsync(request.ModulePath, cancellationToken);
        }

        var requestedBy = RequestedBy(context);
        var module = request.ModuleVersion;
        var result = await admission.EnsureAdmittedAsync(module, requestedBy, cancellationToken);
        if (result.Status != AdmissionStatus.Admitted)
        {
            return ProxyResults.Refusal(result);
        }

        // Admitted by the current decision: only now are bytes looked for, in memory, then in the cache folder, then upstream.
        var kind = request.Artefact;
        var decision = serving.Of(module);
        var inMemory = hot.Get(module, kind, decision?.Id ?? 0);
        var served = inMemory is not null
            ? ArtefactResult.FromMemory(inMemory, kind)
            : await FromCacheAsync(module, kind, decision, hot, storage, cancellationToken);
        ServingMetrics.Looked(inMemory is not null ? CacheTier.Memory : served is not null ? CacheTier.Disk : CacheTier.Miss, kind);
        if (served is null)
        {
            result = await admission.RestoreAsync(module, requestedBy, cancellationToken);
            decision = serving.Of(module);
            served = result.Status == AdmissionStatus.Admitted ? await FromCacheAsync(module, kind, decision, hot, storage, cancellationToken) : null;
            if (served is null)
            {
                return ProxyResults.Refusal(result.Status == AdmissionStatus.Admitted
                    ? new(AdmissionStatus.Unavailable, $"unavailable: {module} is admitted but its files were moved while being served; try again")
                    : result);
            }
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return served;
        }

        ServingMetrics.Served(kind, served.Length);
        if (options.Value.DownloadLedger)
        {
            ledger.Record(request.ModulePath, module.Version, kind.Extension(), requestedBy ?? "unknown", context.Request.Headers.UserAgent);
        }

        return served;
    }

    /// <summary>The recorded h1 hash for .zip and .mod (no need to read a large zip), a SHA-256 of the bytes for .info.</summary>
    private static string? EntityTag(ArtefactKind kind, CurrentDecision? decision, byte[]? bytes)
    {
        var tag = kind switch
        {
            ArtefactKind.Zip => decision?.ZipHash,
            ArtefactKind.Mod => decision?.GoModHash,
            _ => bytes is null ? null : "sha256:" + Convert.ToBase64String(SHA256.HashData(bytes)),
        };
        return tag is null ? null : $"\"{tag}\"";
    }

    /// <summary>
    /// The artefact from the store's cache, kept in the hot set when small; null when it is not there. An open handle
    /// (or object stream) survives the version being moved out (by a revocation) while it is sent.
    /// </summary>
    private static async Task<ArtefactResult?> FromCacheAsync(
        ModuleVersion module, ArtefactKind kind, CurrentDecision? decision, HotArtefacts hot, GatewayStorage storage, CancellationToken cancellationToken)
    {
        var stored = await storage.Store.OpenAsync(StoreArea.Cache, module, kind, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        if (stored.Length > HotArtefacts.MaxItemBytes)
        {
            return ArtefactResult.FromStore(stored, kind, EntityTag(kind, decision, null));
        }

        await using (stored)
        {
            var bytes = new byte[stored.Length];
            await stored.Content.ReadExactlyAsync(bytes, cancellationToken);
            var artefact = new HotArtefact(decision?.Id ?? 0, bytes, EntityTag(kind, decision, bytes));
            hot.Put(module, kind, artefact);
            return ArtefactResult.FromMemory(artefact, kind);
        }
    }

    /// <summary>Who asked: the authenticated user when GOPROXY clients authenticate, else the client's address.</summary>
    /// <remarks>Read from the feature: <see cref="HttpContext.User"/> would make an empty principal for every anonymous request.</remarks>
    private static string? RequestedBy(HttpContext context) =>
        context.Features.Get<IHttpAuthenticationFeature>()?.User?.Identity is { IsAuthenticated: true } identity
            ? identity.Name
            : context.Connection.RemoteIpAddress?.ToString();

    /// <summary>The path as sent, before the server's percent-decoding and dot-segment removal.</summary>
    private static string RawPath(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            return context.Request.Path.Value ?? "";
        }

        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? rawTarget : rawTarget[..query];
    }
}
