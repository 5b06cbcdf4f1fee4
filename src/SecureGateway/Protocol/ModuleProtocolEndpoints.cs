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
    /// Artefacts are only ever served from the cache, after admission put them there (Athens' download → stash → storage).
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
        var result = await admission.EnsureAdmittedAsync(request.ModuleVersion, requestedBy, cancellationToken);
        if (result.Status != AdmissionStatus.Admitted)
        {
            return ProxyResults.Refusal(result);
        }

        if (options.Value.DownloadLedger && HttpMethods.IsGet(context.Request.Method))
        {
            ledger.Record(request.ModulePath, request.ModuleVersion.Version, request.Artefact.Extension(), requestedBy ?? "unknown", context.Request.Headers.UserAgent);
        }

        return TypedResults.PhysicalFile(storage.Cache.PathOf(request.ModuleVersion, request.Artefact), request.Artefact.ContentType());
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
