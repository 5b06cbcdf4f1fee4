using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SecureGateway.Access;
using SecureGateway.Admission;
using SecureGateway.Hosting;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Storage;

namespace SecureGateway.Protocol;

public static class ModuleProtocolEndpoints
{
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

    private static async Task<IResult> HandleAsync(
        HttpContext context, AdmissionService admission, ServingDecisions serving, VersionQueries versions, GatewayStorage storage,
        HotArtefacts hot, DownloadLedger ledger, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var request = ModuleRequest.Parse(RawPath(context), out var error);
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
        var tag = serving.Of(module)?.Id ?? 0;
        var served = hot.Get(module, kind, tag) is { } bytes
            ? TypedResults.Bytes(bytes, kind.ContentType())
            : await FromCacheAsync(module, kind, tag, hot, storage, cancellationToken);
        if (served is null)
        {
            result = await admission.RestoreAsync(module, requestedBy, cancellationToken);
            served = result.Status == AdmissionStatus.Admitted ? await FromCacheAsync(module, kind, tag, hot, storage, cancellationToken) : null;
            if (served is null)
            {
                return ProxyResults.Refusal(result.Status == AdmissionStatus.Admitted
                    ? new(AdmissionStatus.Unavailable, $"unavailable: {module} is admitted but its files were moved while being served; try again")
                    : result);
            }
        }

        if (options.Value.DownloadLedger && HttpMethods.IsGet(context.Request.Method))
        {
            ledger.Record(request.ModulePath, module.Version, kind.Extension(), requestedBy ?? "unknown", context.Request.Headers.UserAgent);
        }

        return served;
    }

    /// <summary>
    /// The artefact from the cache folder, kept in the hot set when small; null when it is not there. An open handle
    /// survives the file being moved out (by a revocation) while it is sent.
    /// </summary>
    private static async Task<IResult?> FromCacheAsync(
        ModuleVersion module, ArtefactKind kind, long tag, HotArtefacts hot, GatewayStorage storage, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(
                storage.Cache.PathOf(module, kind), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (file.Length > HotArtefacts.MaxItemBytes)
        {
            return TypedResults.File(file, kind.ContentType());
        }

        await using (file)
        {
            var bytes = new byte[file.Length];
            await file.ReadExactlyAsync(bytes, cancellationToken);
            hot.Put(module, kind, tag, bytes);
            return TypedResults.Bytes(bytes, kind.ContentType());
        }
    }

    /// <summary>Who asked: the authenticated user when GOPROXY clients authenticate, else the client's address.</summary>
    private static string? RequestedBy(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : context.Connection.RemoteIpAddress?.ToString();

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
