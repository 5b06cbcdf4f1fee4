using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SecureGateway.Access;
using SecureGateway.Admission;
using SecureGateway.Hosting;
using SecureGateway.Ledger;
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
        HttpContext context, AdmissionService admission, VersionQueries versions, GatewayStorage storage, DownloadLedger ledger,
        IOptions<GatewayOptions> options, CancellationToken cancellationToken)
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
        var file = result.Status == AdmissionStatus.Admitted ? TryOpen(storage.Cache.PathOf(module, request.Artefact)) : null;
        if (result.Status == AdmissionStatus.Admitted && file is null)
        {
            result = await admission.RestoreAsync(module, requestedBy, cancellationToken);
            file = result.Status == AdmissionStatus.Admitted ? TryOpen(storage.Cache.PathOf(module, request.Artefact)) : null;
            if (result.Status == AdmissionStatus.Admitted && file is null)
            {
                result = new(AdmissionStatus.Unavailable, $"unavailable: {module} is admitted but its files were moved while being served; try again");
            }
        }

        if (file is null)
        {
            return ProxyResults.Refusal(result);
        }

        if (options.Value.DownloadLedger && HttpMethods.IsGet(context.Request.Method))
        {
            ledger.Record(request.ModulePath, module.Version, request.Artefact.Extension(), requestedBy ?? "unknown", context.Request.Headers.UserAgent);
        }

        return TypedResults.File(file, request.Artefact.ContentType());
    }

    /// <summary>
    /// Opens the file to serve; null when it is not there. The decision already admitted the version: the cache is
    /// storage, and an open handle survives the file being moved out (by a revocation) while it is sent.
    /// </summary>
    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
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
