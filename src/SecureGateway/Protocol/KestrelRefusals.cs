using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace SecureGateway.Protocol;

/// <summary>
/// Kestrel refuses some requests itself, before any middleware runs: a NUL or a raw non-ASCII byte in the path, a request
/// line or headers over its limits, a bad Host, an unknown HTTP version. Its answer has an empty body, so the go user
/// would see a status and no reason. Here those answers get one: every listen endpoint's connections pass through
/// <see cref="RefusalAwareConnection"/>, and Kestrel's BadRequest diagnostic event, raised just before it writes such an
/// answer, tells that connection to put a text/plain reason into it. Kestrel has no setting or feature for this: it
/// resets the answer's headers and body when it writes it.
/// </summary>
public static class KestrelRefusals
{
    private const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    /// <summary>Applies to every endpoint Kestrel listens on, from <c>--urls</c> or from <c>Kestrel:Endpoints</c>, HTTPS included.</summary>
    public static void AddKestrelRefusalReasons(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(next => connection => next(new RefusalAwareConnection(connection)))));
        builder.Services.AddSingleton<IStartupFilter, BadRequestSubscription>();
    }

    /// <summary>The text the go user sees, e.g. <c>bad request: invalid request target</c>: printable ASCII on one line.</summary>
    private static string Reason(int status, Exception? error)
    {
        var phrase = status switch
        {
            StatusCodes.Status400BadRequest => "bad request",
            StatusCodes.Status413PayloadTooLarge => "request body too large",
            StatusCodes.Status414UriTooLong => "request line too long",
            StatusCodes.Status431RequestHeaderFieldsTooLarge => "request headers too large",
            StatusCodes.Status505HttpVersionNotsupported => "HTTP version not supported",
            _ => ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant(),
        };

        // Kestrel quotes the offending bytes only while its Information logging is on; an empty quote says nothing.
        var detail = (error?.Message ?? "").Replace(": ''", "", StringComparison.Ordinal).TrimEnd('.');
        var said = detail.Length == 0 || detail.Equals(phrase, StringComparison.OrdinalIgnoreCase)
            ? phrase
            : $"{phrase}: {char.ToLowerInvariant(detail[0])}{detail[1..]}";
        return ProxyResults.Printable(said) + " (refused by the web server before the gateway read the request)";
    }

    /// <summary>Listens to the host's own diagnostic source (Kestrel's), from before the server starts until the host is disposed.</summary>
    private sealed class BadRequestSubscription(DiagnosticListener diagnostics) : IStartupFilter, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private IDisposable? subscription;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
        {
            subscription ??= diagnostics.Subscribe(this, name => name == BadRequestEvent);
            return next;
        }

        /// <summary>
        /// Raised by Kestrel with the request's features, after it set the refusal's status and before it writes it. Not
        /// for HTTP/2 or 3 (their refusals are frames, not an HTTP/1 head), a HEAD request (no body), or an answer already
        /// under way (a body read failing inside the application).
        /// </summary>
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is IFeatureCollection features
                && features[typeof(RefusalAwareConnection)] is RefusalAwareConnection connection
                && features.Get<IHttpResponseFeature>() is { HasStarted: false } response
                && features.Get<IHttpRequestFeature>() is { } request
                && !HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol) && !HttpMethods.IsHead(request.Method))
            {
                connection.ExpectRefusal(Reason(response.StatusCode, features.Get<IBadRequestExceptionFeature>()?.Error));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose() => subscription?.Dispose();
    }
}
