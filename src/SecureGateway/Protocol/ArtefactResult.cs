using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using SecureGateway.Storage;

namespace SecureGateway.Protocol;

/// <summary>
/// An admitted artefact's answer, from memory or from an open cache file. The common case, a plain GET or HEAD of a hot
/// artefact, is written directly with headers worked out when it was stored; conditional and range requests go through
/// ASP.NET Core's file results, which implement them in full.
/// </summary>
internal sealed class ArtefactResult : IResult
{
    /// <summary>
    /// A version's bytes never change, so the client holding them may keep them a day without asking again (it keeps
    /// them for ever in its module cache anyway). <c>private</c>: a shared cache in front must not serve them to other
    /// clients after a revocation; each of their requests reaches the current decision here.
    /// </summary>
    private static readonly StringValues CacheControl = "private, max-age=86400, immutable";

    private static readonly StringValues AcceptRanges = "bytes";

    private readonly ArtefactKind kind;
    private readonly byte[]? bytes;
    private readonly StoredArtefact? stored;
    private readonly string? etag;

    private ArtefactResult(ArtefactKind kind, byte[]? bytes, StoredArtefact? stored, string? etag)
    {
        this.kind = kind;
        this.bytes = bytes;
        this.stored = stored;
        this.etag = etag;
    }

    public long Length => bytes?.Length ?? stored!.Length;

    public static ArtefactResult FromMemory(HotArtefact artefact, ArtefactKind kind) => new(kind, artefact.Bytes, null, artefact.ETag);

    /// <summary>Takes ownership of <paramref name="stored"/>: the answer closes it once sent.</summary>
    public static ArtefactResult FromStore(StoredArtefact stored, ArtefactKind kind, string? etag) => new(kind, null, stored, etag);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var headers = httpContext.Response.Headers;
        if (bytes is null || IsConditionalOrRange(httpContext.Request.Headers))
        {
            headers.CacheControl = CacheControl;
            var entityTag = etag is null ? null : EntityTagHeaderValue.Parse(etag);
            if (bytes is null && !stored!.Content.CanSeek)
            {
                // An object store's stream cannot seek: conditions are answered, ranges not (the whole artefact is sent).
                httpContext.Response.ContentLength = stored.Length;
            }

            IResult full = bytes is null
                ? TypedResults.File(stored!.Content, kind.ContentType(), entityTag: entityTag, enableRangeProcessing: stored.Content.CanSeek)
                : TypedResults.Bytes(bytes, kind.ContentType(), entityTag: entityTag, enableRangeProcessing: true);
            return full.ExecuteAsync(httpContext);
        }

        headers.AcceptRanges = AcceptRanges;
        if (etag is not null)
        {
            headers.ETag = etag;
        }

        return ProxyResults.WriteOkAsync(httpContext, bytes, kind.ContentType(), CacheControl);
    }

    // If-Range only matters with Range.
    private static bool IsConditionalOrRange(IHeaderDictionary headers) =>
        headers.Range.Count > 0 || headers.IfNoneMatch.Count > 0 || headers.IfModifiedSince.Count > 0
        || headers.IfMatch.Count > 0 || headers.IfUnmodifiedSince.Count > 0;
}
