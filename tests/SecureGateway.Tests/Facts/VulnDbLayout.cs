using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace SecureGateway.Tests.Facts;

/// <summary>
/// A Go vulnerability database in its published layout (https://go.dev/security/vuln/database#api): <c>index/modules.json</c>
/// and <c>ID/{id}.json</c>, with two real entries. Served over HTTP by <see cref="ServeAsync"/> or written to a directory;
/// the test can change an entry's <c>modified</c> time, or make a file answer an error status.
/// </summary>
/// <remarks>
/// The entries and the index are golang/vuln's <c>internal/client/testdata/vulndb-v1</c> at commit
/// 29330301d816efefc5f58d7d86f817b9412b8ef8 (the compact form vuln.go.dev serves, with real <c>modified</c> times),
/// restricted to GO-2022-0229 and GO-2022-0463; GO-2022-0463's long symbol lists are shortened.
/// </remarks>
internal sealed class VulnDbLayout
{
    public const string RealModified = "2023-04-03T15:57:51Z";

    public const string Go2022_0229 = """
        {"schema_version":"1.3.1","id":"GO-2022-0229","modified":"2023-04-03T15:57:51Z","published":"2022-07-06T18:23:48Z","aliases":["CVE-2020-7919","GHSA-cjjc-xp8v-855w"],"details":"On 32-bit architectures, a malformed input to crypto/x509 or the ASN.1 parsing functions of golang.org/x/crypto/cryptobyte can lead to a panic.\n\nThe malformed certificate can be delivered via a crypto/tls connection to a client, or to a server that accepts client certificates. net/http clients can be made to crash by an HTTPS server, while net/http servers that accept client certificates will recover the panic and are unaffected.","affected":[{"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.12.16"},{"introduced":"1.13.0"},{"fixed":"1.13.7"}]}],"ecosystem_specific":{"imports":[{"path":"crypto/x509"}]}},{"package":{"name":"golang.org/x/crypto","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.0.0-20200124225646-8b5121be2f68"}]}],"ecosystem_specific":{"imports":[{"path":"golang.org/x/crypto/cryptobyte"}]}}],"references":[{"type":"FIX","url":"https://go.dev/cl/216680"},{"type":"FIX","url":"https://go.googlesource.com/go/+/b13ce14c4a6aa59b7b041ad2b6eed2d23e15b574"},{"type":"FIX","url":"https://go.dev/cl/216677"},{"type":"REPORT","url":"https://go.dev/issue/36837"},{"type":"WEB","url":"https://groups.google.com/g/golang-announce/c/Hsw4mHYc470"}],"credits":[{"name":"Project Wycheproof"}],"database_specific":{"url":"https://pkg.go.dev/vuln/GO-2022-0229"}}
        """;

    public const string Go2022_0463 = """
        {"schema_version":"1.3.1","id":"GO-2022-0463","modified":"2023-04-03T15:57:51Z","published":"2022-07-01T20:06:59Z","aliases":["CVE-2022-31259","GHSA-qx32-f6g6-fcfr"],"details":"Routes in the beego HTTP router can match unintended patterns. This overly-broad matching may permit an attacker to bypass access controls.\n\nFor example, the pattern \"/a/b/:name\" can match the URL \"/a.xml/b/\". This may bypass access control applied to the prefix \"/a/\".","affected":[{"package":{"name":"github.com/astaxie/beego","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],"ecosystem_specific":{"imports":[{"path":"github.com/astaxie/beego","symbols":["App.Run","ControllerRegister.FindPolicy","ControllerRegister.FindRouter","ControllerRegister.ServeHTTP"]}]}},{"package":{"name":"github.com/beego/beego","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.12.9"}]}],"ecosystem_specific":{"imports":[{"path":"github.com/beego/beego","symbols":["App.Run","ControllerRegister.FindPolicy","ControllerRegister.FindRouter","ControllerRegister.ServeHTTP"]}]}},{"package":{"name":"github.com/beego/beego/v2","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.3"}]}],"ecosystem_specific":{"imports":[{"path":"github.com/beego/beego/v2/server/web","symbols":["AddNamespace","AddViewPath","Any","AutoPrefix"]}]}}],"references":[{"type":"FIX","url":"https://github.com/beego/beego/pull/4958"},{"type":"FIX","url":"https://github.com/beego/beego/commit/64cf44d725c8cc35d782327d333df9cbeb1bf2dd"},{"type":"WEB","url":"https://beego.vip"},{"type":"WEB","url":"https://github.com/beego/beego/issues/4946"},{"type":"WEB","url":"https://github.com/beego/beego/pull/4954"}],"database_specific":{"url":"https://pkg.go.dev/vuln/GO-2022-0463"}}
        """;

    private readonly ConcurrentDictionary<string, string> modified = new(StringComparer.Ordinal)
    {
        ["GO-2022-0229"] = RealModified,
        ["GO-2022-0463"] = RealModified,
    };

    private readonly ConcurrentDictionary<string, int> failing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> replaced = new(StringComparer.Ordinal);

    /// <summary>The <c>modified</c> time of <paramref name="id"/>, in the index and in the entry.</summary>
    public void SetModified(string id, string time) => modified[id] = time;

    /// <summary>Makes <paramref name="relativePath"/> (e.g. <c>ID/GO-2022-0229.json</c>) answer <paramref name="status"/>.</summary>
    public void Fail(string relativePath, int status) => failing[relativePath] = status;

    /// <summary>Serves <paramref name="relativePath"/> normally again.</summary>
    public void Heal(string relativePath) => failing.TryRemove(relativePath, out _);

    /// <summary>Serves <paramref name="content"/> at <paramref name="relativePath"/> instead of the real file.</summary>
    public void Replace(string relativePath, string content) => replaced[relativePath] = content;

    /// <summary>The files of the layout, by path relative to its root.</summary>
    public IReadOnlyDictionary<string, string> Files() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["index/modules.json"] = ModulesJson(),
        ["ID/GO-2022-0229.json"] = Entry("GO-2022-0229", Go2022_0229),
        ["ID/GO-2022-0463.json"] = Entry("GO-2022-0463", Go2022_0463),
    };

    public void WriteTo(string directory)
    {
        foreach (var (path, content) in Files())
        {
            var file = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
    }

    public Task<LoopbackHttpServer> ServeAsync() => LoopbackHttpServer.StartAsync(async context =>
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        if (failing.TryGetValue(path, out var status))
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync($"status {status} injected by the test\n");
            return;
        }

        if (!Files().TryGetValue(path, out var content))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("404 page not found\n");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(content);
    });

    private string Entry(string id, string json) =>
        replaced.TryGetValue($"ID/{id}.json", out var content) ? content : json.Replace(RealModified, modified[id], StringComparison.Ordinal);

    // golang/vuln testdata's index/modules.json, restricted to the two entries.
    private string ModulesJson()
    {
        var m0229 = modified["GO-2022-0229"];
        var m0463 = modified["GO-2022-0463"];
        return replaced.TryGetValue("index/modules.json", out var content) ? content :
            $$"""
            [{"path":"github.com/astaxie/beego","vulns":[{"id":"GO-2022-0463","modified":"{{m0463}}"}]},{"path":"github.com/beego/beego","vulns":[{"id":"GO-2022-0463","modified":"{{m0463}}","fixed":"1.12.9"}]},{"path":"github.com/beego/beego/v2","vulns":[{"id":"GO-2022-0463","modified":"{{m0463}}","fixed":"2.0.3"}]},{"path":"golang.org/x/crypto","vulns":[{"id":"GO-2022-0229","modified":"{{m0229}}","fixed":"0.0.0-20200124225646-8b5121be2f68"}]},{"path":"stdlib","vulns":[{"id":"GO-2022-0229","modified":"{{m0229}}","fixed":"1.13.7"}]}]
            """;
    }
}
