namespace SecureGateway.Storage;

/// <summary><c>Gateway:Store:S3</c>: an S3-compatible object store (AWS S3, Ceph RADOS Gateway, MinIO), path-style.</summary>
public sealed record S3StoreOptions
{
    /// <summary>The endpoint, e.g. <c>https://s3.eu-west-1.amazonaws.com</c> or <c>http://127.0.0.1:7480</c>.</summary>
    public string? ServiceUrl { get; init; }

    public string Bucket { get; init; } = "";

    /// <summary>Prepended to every key, so several gateways (or other data) can share a bucket; e.g. <c>goproxy/</c>.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The region the requests are signed for; any name for servers that ignore it.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>With <see cref="SecretKey"/>; when both are empty, the AWS SDK's default chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; init; }

    public string? SecretKey { get; init; }

    /// <summary>Zips larger than this are uploaded in parts (streamed from the staged file, a part at a time).</summary>
    public long MultipartThresholdBytes { get; init; } = 16 << 20;
}
