using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using SecureGateway.Admission;

namespace SecureGateway.Protocol;

/// <summary>The one place admission outcomes become HTTP answers the go command understands.</summary>
internal static class ProxyResults
{
    /// <summary>
    /// The go command shows an error body only when it is text/plain UTF-8 of printable lines, so every refusal is that.
    /// 404 and 410 make it try its next GOPROXY entry, so they are kept for "does not exist"; a refusal is 403. No cache
    /// may keep one: a release or a recovered upstream changes the answer.
    /// </summary>
    public static IResult Text(int status, string message) =>
        WithCacheControl(TypedResults.Text(message + "\n", "text/plain; charset=utf-8", statusCode: status), "no-store");

    /// <summary>A 200 with <paramref name="body"/>, written directly (the list answers: no range or conditional requests).</summary>
    public static IResult Bytes(byte[] body, string contentType, string cacheControl) => new BytesResult(body, contentType, cacheControl);

    /// <summary><paramref name="inner"/> with a <c>Cache-Control</c> header, also on the 304 and 206 answers it may give.</summary>
    public static IResult WithCacheControl(IResult inner, string cacheControl) => new WithHeader(inner, "Cache-Control", cacheControl);

    /// <summary>
    /// For an error the framework answered with an empty body: 405 from routing (a method other than GET and HEAD), a
    /// binding 400 or 415 in the admin API. The body names the method and path, and for 405 what is allowed.
    /// </summary>
    public static Task ExplainEmptyAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var request = Printable($"{http.Request.Method} {(http.Request.Path.HasValue ? http.Request.Path : "*")}");
        var message = http.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
            ? $"method not allowed: {request}; allowed: {http.Response.Headers.Allow}"
            : $"{ReasonPhrases.GetReasonPhrase(http.Response.StatusCode).ToLowerInvariant()}: {request}";
        return Text(http.Response.StatusCode, message).ExecuteAsync(http);
    }

    /// <summary>
    /// Text from the request or the web server as the go command shows it: one line of printable ASCII (anything else
    /// becomes <c>?</c>, since one unprintable character hides the whole body), at most 200 characters.
    /// </summary>
    public static string Printable(string text)
    {
        const int maxLength = 200;
        var shown = text.Length > maxLength ? text[..maxLength] + "..." : text;
        return string.Create(shown.Length, shown, (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = source[i] is >= ' ' and <= '~' ? source[i] : '?';
            }
        });
    }

    public static IResult Refusal(AdmissionResult result)
    {
        var text = Text(
            result.Status switch
            {
                AdmissionStatus.Refused => StatusCodes.Status403Forbidden,
                AdmissionStatus.NotFound => StatusCodes.Status404NotFound,
                AdmissionStatus.UpstreamFailed => StatusCodes.Status502BadGateway,
                AdmissionStatus.UpstreamTimedOut => StatusCodes.Status504GatewayTimeout,
                _ => StatusCodes.Status503ServiceUnavailable,
            },
            result.Message);
        return result.RetryAfter is { } retryAfter
            ? new WithHeader(text, "Retry-After", ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : text;
    }

    /// <summary>
    /// A 200 with <paramref name="body"/> written straight to the response, headers added by the caller kept: the path of
    /// the hot answers (cached artefacts, lists), which need none of the file results' range and conditional handling.
    /// </summary>
    public static Task WriteOkAsync(HttpContext httpContext, byte[] body, string contentType, StringValues cacheControl)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        response.Headers.CacheControl = cacheControl;
        return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask
            : body.Length <= SliceBytes ? response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask()
            : WriteInSlicesAsync(response.Body, body, httpContext.RequestAborted);
    }

    /// <summary>
    /// Kestrel copies what it is given into its memory pool and holds it there until sent: a hot zip of 1 MB written
    /// whole held 1 MB per connection, so the pool grew and evicted blocks without end under load (44 MB allocated and
    /// 29 MB evicted in 45 s at 16 clients, against 4 and 2 MB written a slice at a time, with 13% more answers per second).
    /// </summary>
    internal const int SliceBytes = 128 << 10;

    private static async Task WriteInSlicesAsync(Stream body, byte[] bytes, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < bytes.Length; offset += SliceBytes)
        {
            await body.WriteAsync(bytes.AsMemory(offset, Math.Min(SliceBytes, bytes.Length - offset)), cancellationToken);
        }
    }

    private sealed class BytesResult(byte[] body, string contentType, string cacheControl) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteOkAsync(httpContext, body, contentType, cacheControl);
    }

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
