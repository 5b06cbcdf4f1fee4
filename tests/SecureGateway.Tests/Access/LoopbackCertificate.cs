using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Access;

/// <summary>
/// A self-signed certificate for 127.0.0.1: Kestrel serves it (<see cref="KestrelArguments"/>) and the go command trusts it
/// through <c>SSL_CERT_FILE</c>. The go command sends credentials (from .netrc or GOPROXY's user:password) only over HTTPS.
/// </summary>
internal sealed class LoopbackCertificate
{
    private const string Password = "test";

    private LoopbackCertificate(string pfxPath, string pemPath, string thumbprint)
    {
        PfxPath = pfxPath;
        PemPath = pemPath;
        Thumbprint = thumbprint;
    }

    public string PfxPath { get; }

    /// <summary>The certificate alone, PEM: a CA file for <c>SSL_CERT_FILE</c>.</summary>
    public string PemPath { get; }

    public string Thumbprint { get; }

    /// <summary>Arguments for <see cref="GatewayInstance.StartAsync"/>: HTTPS on a free loopback port with this certificate.</summary>
    public string[] KestrelArguments =>
        ["--urls", "https://127.0.0.1:0", $"--Kestrel:Certificates:Default:Path={PfxPath}", $"--Kestrel:Certificates:Default:Password={Password}"];

    public static LoopbackCertificate Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var directory = TempDirectory.Create("tls");
        var pfx = Path.Combine(directory, "gateway.pfx");
        var pem = Path.Combine(directory, "gateway.pem");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, Password));
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        return new LoopbackCertificate(pfx, pem, certificate.Thumbprint);
    }

    /// <summary>An HttpClient for the gateway that trusts this certificate and no other.</summary>
    public HttpClient Client(string baseUrl) =>
        new(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == Thumbprint,
        })
        { BaseAddress = new Uri(baseUrl + "/") };
}
