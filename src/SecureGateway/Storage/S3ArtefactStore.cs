using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using SecureGateway.Modules;

namespace SecureGateway.Storage;

/// <summary>
/// The store in S3-compatible object storage. Objects cannot be renamed and several are never written at once, so a
/// version is written as a generation: its three objects under <c>{area}/{escaped path}/@v/{escaped version}/{generation}/</c>,
/// then the version's <c>current</c> object naming that generation. Readers go through <c>current</c>, so a write cut off
/// half-way (objects without a <c>current</c> naming them, an unfinished multipart upload) is never visible, and of two
/// concurrent writers one generation wins whole. Replaced generations are deleted; what a crash leaves is removed by
/// <see cref="RemoveLeftoversAsync"/>.
/// </summary>
public sealed class S3ArtefactStore : IArtefactStore, IDisposable
{
    private const string CurrentName = "current";

    /// <summary>
    /// Objects of no current generation younger than this may belong to a write still in progress, by this or another
    /// replica (a 500 MB zip over a slow link): a day is far beyond any upload.
    /// </summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromDays(1);

    private static readonly ArtefactKind[] Kinds = Enum.GetValues<ArtefactKind>();

    private readonly AmazonS3Client client;
    private readonly TransferUtility transfers;
    private readonly string bucket;
    private readonly string prefix;
    private readonly TimeProvider time;

    public S3ArtefactStore(S3StoreOptions options, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.ServiceUrl) || string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new InvalidOperationException("Gateway:Store:S3 needs ServiceUrl and Bucket");
        }

        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            // S3-compatible servers do not all accept the SDK's default trailing checksums; TLS and the h1 hashes
            // recorded with each decision protect the bytes.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        transfers = new TransferUtility(client, new TransferUtilityConfig { MinSizeBeforePartUpload = options.MultipartThresholdBytes });
        bucket = options.Bucket;
        prefix = options.Prefix;
        this.time = time;
        Location = $"s3 {Upstream.RedactedUrl.Of(options.ServiceUrl).TrimEnd('/')} bucket {bucket}{(prefix.Length == 0 ? "" : $" prefix {prefix}")}";
    }

    public string Location { get; }

    public async ValueTask<bool> ContainsAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken) =>
        await CurrentGenerationAsync(area, version, cancellationToken) is not null;

    public async Task SaveAsync(StoreArea area, ModuleVersion version, StagedModule staged, CancellationToken cancellationToken)
    {
        staged.EnsureComplete();
        var generation = NewGeneration();

        // One round trip for all: the replaced generation is read while the three objects go up.
        var previous = CurrentGenerationAsync(area, version, cancellationToken);
        await Task.WhenAll(Kinds.Select(kind => transfers.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = bucket,
            Key = ArtefactKey(area, version, generation, kind),
            FilePath = staged.PathOf(kind),
            ContentType = kind.ContentType(),
        }, cancellationToken)).Append(previous));
        await PublishAsync(area, version, generation, await previous, cancellationToken);
    }

    public async Task<StoredArtefact?> OpenAsync(StoreArea area, ModuleVersion version, ArtefactKind kind, CancellationToken cancellationToken)
    {
        // A generation replaced between reading current and reading it is gone; current then names the new one.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await CurrentGenerationAsync(area, version, cancellationToken) is not { } generation)
            {
                return null;
            }

            try
            {
                var response = await client.GetObjectAsync(bucket, ArtefactKey(area, version, generation, kind), cancellationToken);
                return new StoredArtefact(response.ResponseStream, response.ContentLength);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }

        return null;
    }

    public async Task<bool> MoveAsync(ModuleVersion version, StoreArea source, StoreArea target, CancellationToken cancellationToken)
    {
        if (await CurrentGenerationAsync(source, version, cancellationToken) is not { } sourceGeneration)
        {
            return false;
        }

        var existing = await CurrentGenerationAsync(target, version, cancellationToken);
        if (existing is null)
        {
            var generation = NewGeneration();
            try
            {
                foreach (var kind in Kinds)
                {
                    await client.CopyObjectAsync(new CopyObjectRequest
                    {
                        SourceBucket = bucket, SourceKey = ArtefactKey(source, version, sourceGeneration, kind),
                        DestinationBucket = bucket, DestinationKey = ArtefactKey(target, version, generation, kind),
                    }, cancellationToken);
                }
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                // Another process moved (or removed) it meanwhile: whatever it did stands.
                await DeleteGenerationAsync(target, version, generation, cancellationToken);
                return await ContainsAsync(target, version, cancellationToken);
            }

            await PublishAsync(target, version, generation, previous: null, cancellationToken);
        }

        await DeleteAsync(source, version, cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken)
    {
        if (await CurrentGenerationAsync(area, version, cancellationToken) is not { } generation)
        {
            return false;
        }

        // The pointer first: from then on readers see the version gone, never half of it.
        await client.DeleteObjectAsync(bucket, CurrentKey(area, version), cancellationToken);
        await DeleteGenerationAsync(area, version, generation, cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<string>> VersionsAsync(StoreArea area, string modulePath, CancellationToken cancellationToken)
    {
        var versions = new List<string>();
        var versionsPrefix = $"{prefix}{area.Name()}/{ModuleEscaping.EscapePath(modulePath)}/@v/";
        await foreach (var key in KeysAsync(versionsPrefix, cancellationToken))
        {
            var rest = key.Key[versionsPrefix.Length..];
            if (rest.EndsWith("/" + CurrentName, StringComparison.Ordinal)
                && rest[..^(CurrentName.Length + 1)] is var escaped && !escaped.Contains('/', StringComparison.Ordinal)
                && ModuleEscaping.TryUnescapeVersion(escaped, out var version, out _))
            {
                versions.Add(version);
            }
        }

        return versions;
    }

    public async IAsyncEnumerable<ModuleVersion> AllAsync(StoreArea area, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var areaPrefix = $"{prefix}{area.Name()}/";
        await foreach (var key in KeysAsync(areaPrefix, cancellationToken))
        {
            if (Parse(key.Key[areaPrefix.Length..]) is { Generation: null } current)
            {
                yield return current.Module;
            }
        }
    }

    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        var key = $"{prefix}.ready/{NewGeneration()}";
        try
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "ok" }, cancellationToken);
            await client.DeleteObjectAsync(bucket, key, cancellationToken);
            return null;
        }
        catch (Exception e) when (ArtefactStores.IsFailure(e))
        {
            return $"{Location} does not take writes: {e.Message}";
        }
    }

    public async Task<IReadOnlyList<string>> RemoveLeftoversAsync(CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        var before = time.GetUtcNow() - LeftoverAge;
        foreach (var area in Enum.GetValues<StoreArea>())
        {
            var areaPrefix = $"{prefix}{area.Name()}/";
            var generations = new Dictionary<ModuleVersion, List<(string Generation, S3Object Object)>>();
            var published = new HashSet<ModuleVersion>();
            await foreach (var key in KeysAsync(areaPrefix, cancellationToken))
            {
                switch (Parse(key.Key[areaPrefix.Length..]))
                {
                    case { Generation: null } version:
                        published.Add(version.Module);
                        break;
                    case { Generation: { } generation } artefact:
                        if (!generations.TryGetValue(artefact.Module, out var list))
                        {
                            generations[artefact.Module] = list = [];
                        }

                        list.Add((generation, key));
                        break;
                }
            }

            foreach (var (owner, objects) in generations)
            {
                // A published version with one generation has nothing left over: only the others need their pointer
                // read, so a repair over a large bucket costs a listing, not a request per version.
                var kept = !published.Contains(owner) ? null
                    : objects.Select(o => o.Generation).Distinct().Count() == 1 ? objects[0].Generation
                    : await CurrentGenerationAsync(area, owner, cancellationToken);
                foreach (var (generation, stored) in objects)
                {
                    if (generation != kept && stored.LastModified is { } modified && modified < before.UtcDateTime)
                    {
                        await client.DeleteObjectAsync(bucket, stored.Key, cancellationToken);
                        removed.Add(stored.Key);
                    }
                }
            }
        }

        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = prefix }, cancellationToken);
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            if (upload.Initiated is { } started && started < before.UtcDateTime)
            {
                await client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId, cancellationToken);
                removed.Add($"{upload.Key} (unfinished upload)");
            }
        }

        return removed;
    }

    public void Dispose()
    {
        transfers.Dispose();
        client.Dispose();
    }

    /// <summary>Makes <paramref name="generation"/> the version's current one, then removes the one it replaced.</summary>
    private async Task PublishAsync(StoreArea area, ModuleVersion version, string generation, string? previous, CancellationToken cancellationToken)
    {
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = CurrentKey(area, version), ContentBody = generation, ContentType = "text/plain",
        }, cancellationToken);

        // Of two writers of the same version the later pointer wins; the other removes its own generation.
        var winner = await CurrentGenerationAsync(area, version, cancellationToken);
        if (winner != generation)
        {
            await DeleteGenerationAsync(area, version, generation, cancellationToken);
        }

        if (previous is not null && previous != winner)
        {
            await DeleteGenerationAsync(area, version, previous, cancellationToken);
        }
    }

    private async Task<string?> CurrentGenerationAsync(StoreArea area, ModuleVersion version, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetObjectAsync(bucket, CurrentKey(area, version), cancellationToken);
            using var reader = new StreamReader(response.ResponseStream);
            var generation = (await reader.ReadToEndAsync(cancellationToken)).Trim();
            return generation.Length == 32 && generation.All(char.IsAsciiHexDigitLower) ? generation : null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task DeleteGenerationAsync(StoreArea area, ModuleVersion version, string generation, CancellationToken cancellationToken)
    {
        foreach (var kind in Kinds)
        {
            await client.DeleteObjectAsync(bucket, ArtefactKey(area, version, generation, kind), cancellationToken);
        }
    }

    private async IAsyncEnumerable<S3Object> KeysAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = keyPrefix };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request, cancellationToken);
            foreach (var stored in page.S3Objects ?? [])
            {
                yield return stored;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    /// <summary>A key below an area: a version's <c>current</c> (no generation) or one of its artefacts; null for anything else.</summary>
    private static (ModuleVersion Module, string? Generation)? Parse(string key)
    {
        var at = key.LastIndexOf("/@v/", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var parts = key[(at + 4)..].Split('/');
        if (!ModuleEscaping.TryUnescapePath(key[..at], out var path, out _) || !ModuleEscaping.TryUnescapeVersion(parts[0], out var version, out _))
        {
            return null;
        }

        var parsed = new ModuleVersion(path, version);
        return parts switch
        {
            [_, CurrentName] => (parsed, null),
            [_, var generation, _] => (parsed, generation),
            _ => null,
        };
    }

    private string VersionPrefix(StoreArea area, ModuleVersion version) =>
        $"{prefix}{area.Name()}/{ModuleEscaping.EscapePath(version.Path)}/@v/{ModuleEscaping.EscapeVersion(version.Version)}/";

    private string CurrentKey(StoreArea area, ModuleVersion version) => VersionPrefix(area, version) + CurrentName;

    private string ArtefactKey(StoreArea area, ModuleVersion version, string generation, ArtefactKind kind) =>
        $"{VersionPrefix(area, version)}{generation}/{kind.Extension()}";

    private static string NewGeneration() => Guid.NewGuid().ToString("N");

}
