using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using SecureGateway.Storage;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Storage;

/// <summary>
/// A real S3 server for a test class: a one-node Ceph cluster with its RADOS Gateway on loopback, started by
/// <c>tests/s3-server/rgw.sh</c> (about 15 s) with one bucket, and stopped after the class. <c>.ci/run</c> installs the
/// Debian packages it needs (radosgw, ceph-mon, ceph-osd). No emulator: the same gateway code serves production Ceph.
/// </summary>
public sealed class CephS3Server : IAsyncLifetime
{
    public const string Bucket = "securegateway-tests";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string directory = Path.Combine(TempDirectory.Create("ceph"), "rgw");
    private Dictionary<string, string> settings = [];

    public string Endpoint => settings["S3_ENDPOINT"];

    public async Task InitializeAsync()
    {
        var started = await ExternalProcess.RunAsync(Script, Repository.Root, ExternalProcess.CleanBaseEnvironment(), ["start", directory], StartTimeout);
        if (!started.Succeeded)
        {
            throw new InvalidOperationException(
                $"the Ceph RADOS Gateway did not start (apt-get install radosgw ceph-mon ceph-osd; .ci/run installs them):\n{started.StandardError}");
        }

        settings = File.ReadAllLines(Path.Combine(directory, "s3.env"))
            .Select(line => line.Split('=', 2)).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0], pair => pair[1]);
        using var client = Client();
        await client.PutBucketAsync(Bucket);
    }

    public async Task DisposeAsync() =>
        await ExternalProcess.RunAsync(Script, Repository.Root, ExternalProcess.CleanBaseEnvironment(), ["stop", directory], TimeSpan.FromMinutes(1));

    /// <summary>The gateway's settings for this server, keys under <paramref name="prefix"/> of the test bucket.</summary>
    public S3StoreOptions Options(string prefix) => new()
    {
        ServiceUrl = Endpoint, Bucket = Bucket, Prefix = prefix, AccessKey = settings["S3_ACCESS_KEY"], SecretKey = settings["S3_SECRET_KEY"],
    };

    /// <summary>A gateway's command-line settings to keep its artefacts under <paramref name="prefix"/> of the test bucket.</summary>
    public string[] GatewayArguments(string prefix)
    {
        var options = Options(prefix);
        return
        [
            "--Gateway:Store:Kind=s3", $"--Gateway:Store:S3:ServiceUrl={options.ServiceUrl}", $"--Gateway:Store:S3:Bucket={options.Bucket}",
            $"--Gateway:Store:S3:Prefix={options.Prefix}", $"--Gateway:Store:S3:AccessKey={options.AccessKey}", $"--Gateway:Store:S3:SecretKey={options.SecretKey}",
        ];
    }

    /// <summary>Every key under <paramref name="prefix"/>, as listed by the server.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix)
    {
        using var client = Client();
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix });
        return [.. (listed.S3Objects ?? []).Select(o => o.Key)];
    }

    private AmazonS3Client Client() => new(
        new BasicAWSCredentials(settings["S3_ACCESS_KEY"], settings["S3_SECRET_KEY"]),
        new AmazonS3Config
        {
            ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED, ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    private static string Script => Path.Combine(Repository.Root, "tests", "s3-server", "rgw.sh");
}
