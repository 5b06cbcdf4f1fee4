using SecureGateway.Admission;

namespace SecureGateway.Protocol;

/// <summary>The one place admission outcomes become HTTP answers the go command understands.</summary>
internal static class ProxyResults
{
    /// <summary>
    /// The go command shows an error body only when it is text/plain UTF-8 of printable lines, so every refusal is that.
    /// 404 and 410 make it try its next GOPROXY entry, so they are kept for "does not exist"; a refusal is 403.
    /// </summary>
    public static IResult Text(int status, string message) =>
        TypedResults.Text(message + "\n", "text/plain; charset=utf-8", statusCode: status);

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
        return result.RetryAfter is { } retryAfter ? new WithRetryAfter(text, retryAfter) : text;
    }

    private sealed class WithRetryAfter(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
