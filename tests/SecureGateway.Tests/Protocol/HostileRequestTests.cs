using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Protocol;

/// <summary>
/// Hostile requests, each with the status and the text/plain reason the go command would show (<c>server response:</c>);
/// none of them reaches the upstream or writes a file in the data folder.
/// </summary>
public sealed class HostileRequestTests(HostileRequestTests.Gateways gateways) : IClassFixture<HostileRequestTests.Gateways>
{
    private const string Module = "/example.com/m/@v/";
    private static readonly string LongElements = string.Join('/', Enumerable.Repeat(new string('a', 200), 6));
    private static readonly string PathBeyondKestrelsDefaultLine = string.Join('/', Enumerable.Repeat(new string('a', 200), 60));

    /// <summary>Every hostile request of the suite, by name.</summary>
    private static readonly Dictionary<string, HostileRequest> Requests = new HostileRequest[]
    {
        // Module paths: Go's UnescapePath and CheckPath, before anything is fetched.
        Get("path: bad ! escape (!!)", "/example.com/!!m/@v/list", 400, "invalid escaped module path"),
        Get("path: trailing !", "/example.com/m!/@v/list", 400, "invalid escaped module path"),
        Get("path: ! before a digit", "/example.com/!1m/@v/list", 400, "invalid escaped module path"),
        Get("path: ! before an upper-case letter", "/example.com/!Am/@v/list", 400, "invalid escaped module path"),
        Get("path: upper case without !", "/example.com/Upper/@v/list", 400, "invalid escaped module path"),
        Get("path: upper case in the host", "/Example.com/m/@v/list", 400, "invalid escaped module path"),
        Get("path: .. element", "/example.com/x/../y/@v/v1.0.0.info", 400, "invalid path element"),
        Get("path: %2E%2E element", "/example.com/x/%2E%2E/y/@v/v1.0.0.zip", 400, "invalid path element"),
        Get("path: %2e%2e elements to /etc", "/example.com/x/%2e%2e/%2e%2e/%2e%2e/etc/passwd/@v/list", 400, "invalid path element"),
        Get("path: ..%2F inside an element", "/example.com/a%2F..%2F..%2Fb/@v/list", 400, "invalid path element"),
        Get("path: double-encoded ..", "/example.com/x/%252e%252e/y/@v/list", 400, "invalid char '%'"),
        Get("path: backslash", "/example.com/x\\..\\y/@v/list", 400, "invalid char '\\\\'"),
        Get("path: %5C backslash", "/example.com/x%5C..%5Cy/@v/list", 400, "invalid char '\\\\'"),
        Get("path: double slash", "/example.com//m/@v/list", 400, "double slash"),
        Get("path: empty element before @v", "/example.com/m//@v/list", 400, "trailing slash"),
        Get("path: no module at all", "/@v/list", 404, "not a GOPROXY endpoint"),
        Get("path: leading dot", "/example.com/.m/@v/list", 400, "leading dot"),
        Get("path: trailing dot", "/example.com/m./@v/list", 400, "trailing dot"),
        Get("path: leading dash", "/-example.com/m/@v/list", 400, "leading dash"),
        Get("path: no dot in the first element", "/example/m/@v/list", 400, "missing dot in first path element"),
        Get("path: Windows reserved name", "/example.com/con/@v/list", 400, "\"con\" disallowed as path element component on Windows"),
        Get("path: encoded newline", "/example.com/m%0A/@v/list", 400, "invalid char"),
        Get("path: encoded DEL", "/example.com/m%7F/@v/list", 400, "invalid char"),
        Get("path: raw control character", "/example.com/m\u0001/@v/list", 400, "invalid char"),
        Get("path: encoded UTF-8", "/example.com/m%C3%A9/@v/list", 400, "invalid escaped module path"),
        Get("path: encoded invalid UTF-8", "/example.com/m%C3/@v/list", 400, "not valid percent-encoded UTF-8"),
        Get("path: bad percent escape", "/example.com/m/@v/%ZZ.info", 400, "not valid percent-encoded"),
        Get("path: raw UTF-8 bytes", "/example.com/m\u00e9/@v/list", 400, "bad request: invalid request target"),
        Get("path: NUL byte %00", "/example.com/m%00/@v/list", 400, "bad request: invalid request target"),
        Get("path: @v inside the module path", "/example.com/@v/m/@v/list", 400, "invalid char '@'"),
        Get("path: @v twice", "/example.com/m/@v/@v/list", 400, "invalid char '@'"),
        Get("path: @version in the module path", "/example.com/m@v1.0.0/@v/list", 400, "invalid char '@'"),
        Get("path: @latest before @v", "/example.com/m/@latest/@v/list", 400, "invalid char '@'"),
        Get("path: encoded /@v/ smuggled after list", "/example.com/m/@v/list%2F@v%2Fv1.0.0.zip", 400, "invalid char '@'"),
        Get("path: trailing slash after list", Module + "list/", 400, "unknown GOPROXY endpoint"),
        Get("path: unknown artefact", Module + "v1.0.0.tar", 400, "unknown GOPROXY endpoint"),
        Get("path: module path over 1024 bytes", "/example.com/" + LongElements + "/@v/list", 400, "too long"),
        Get("path: longer than Kestrel's default request line", "/example.com/" + PathBeyondKestrelsDefaultLine + "/@v/list", 400, "too long"),
        Get("path: not a GOPROXY endpoint", "/example.com/m", 404, "not a GOPROXY endpoint"),

        // Versions: only canonical semantic versions, agreeing with the path's major version.
        Get("version: v1.0", Module + "v1.0.info", 400, "not canonical (should be \"v1.0.0\")"),
        Get("version: v1", Module + "v1.info", 400, "not canonical (should be \"v1.0.0\")"),
        Get("version: +build", Module + "v1.0.0+build.mod", 400, "not canonical"),
        Get("version: leading zero", Module + "v01.0.0.zip", 400, "not a semantic version"),
        Get("version: leading zero in a prerelease", Module + "v1.0.0-beta.01.zip", 400, "not a semantic version"),
        Get("version: without v", Module + "1.0.0.zip", 400, "not a semantic version"),
        Get("version: branch name", Module + "master.info", 400, "not a semantic version"),
        Get("version: latest as .info", Module + "latest.info", 400, "not a semantic version"),
        Get("version: HEAD", Module + "HEAD.info", 400, "invalid escaped version"),
        Get("version: trailing !", Module + "v1.0.0!.zip", 400, "invalid escaped version"),
        Get("version: upper case V", Module + "V1.0.0.zip", 400, "invalid escaped version"),
        Get("version: ../ encoded", Module + "..%2F..%2F..%2Fetc%2Fpasswd.info", 400, "invalid escaped version \"../../../etc/passwd\": invalid char '/'"),
        Get("version: v2 without /v2", Module + "v2.0.0.zip", 400, "should be v0 or v1"),
        Get("version: v1 under /v2", "/example.com/m/v2/@v/v1.0.0.zip", 400, "should be v2"),
        Get("version: +incompatible on v1", Module + "v1.0.0+incompatible.zip", 400, "major version v1 is compatible"),
        Get("version: +incompatible under /v2", "/example.com/m/v2/@v/v2.0.0+incompatible.zip", 400, "module path includes a major version suffix"),
        Get("version: pseudo-version in month 13", Module + "v0.0.0-20191301000000-abcdefabcdef.zip", 400, "invalid pseudo-version: the timestamp is not a time"),
        Get("version: pseudo-version at hour 25", Module + "v0.0.0-20190101250000-abcdefabcdef.info", 400, "invalid pseudo-version: the timestamp is not a time"),
        Get("version: longer than a file name", Module + "v1.0.0-" + new string('a', 300) + ".info", 400, "version too long (307 bytes escaped; limit is 255)"),

        // Headers: Kestrel refuses these itself; the gateway gives its refusal a reason.
        Send("header: 40 KB header", Module + "list", 431, "request headers too large: request headers too long", headers: ["X-Big: " + new string('a', 40 * 1024)]),
        Send("header: 200 headers", Module + "list", 431, "request headers too large: request contains too many headers", headers: [.. Enumerable.Range(0, 200).Select(i => $"X-H{i}: v")]),
        Send("header: Host with a space", Module + "list", 400, "bad request: invalid Host header", headers: ["Host: a b"], host: false),
        Send("header: no Host", Module + "list", 400, "bad request: request is missing Host header", host: false),
        Send("header: two Hosts", Module + "list", 400, "bad request: multiple Host headers", headers: ["Host: a.example", "Host: b.example"], host: false),
        Send("header: two Content-Lengths", Module + "list", 400, "bad request: multiple Content-Length headers", headers: ["Content-Length: 1", "Content-Length: 2"]),
        Send("header: Content-Length not a number", Module + "list", 400, "bad request: invalid content length", headers: ["Content-Length: abc"]),
        Send("header: Transfer-Encoding not ending in chunked", Module + "list", 400, "final transfer coding was set to 'gzip' instead of 'chunked'", headers: ["Transfer-Encoding: gzip"]),
        Send("header: line without a colon", Module + "list", 400, "bad request: invalid request header", headers: ["Bogus"]),
        Send("header: name with a space", Module + "list", 400, "bad request: invalid request header", headers: ["Bad Name: x"]),
        Send("header: Range on a malformed path", Module + "v1.0.tar", 400, "unknown GOPROXY endpoint", headers: ["Range: bytes=0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0"]),

        // Request lines.
        Send("line: over 64 KiB", "/example.com/" + new string('a', 70 * 1024) + "/@v/list", 414, "request line too long (refused by the web server before the gateway read the request)"),
        Send("line: absolute URI for another host", "http://evil.example" + Module + "list", 400, "bad request: invalid Host header"),
        Send("line: unknown HTTP version", Module + "list", 505, "HTTP version not supported: unrecognized HTTP version", version: "HTTP/9.9"),
        Send("line: space inside the target", "/example.com/m x/@v/list", 400, "bad request: invalid request line"),

        // Methods: the GOPROXY protocol is GET and HEAD.
        Send("method: POST", Module + "v1.0.0.zip", 405, "method not allowed: POST /example.com/m/@v/v1.0.0.zip; allowed: GET, HEAD", headers: ["Content-Length: 0"], method: "POST"),
        Send("method: PUT with a body", Module + "v1.0.0.zip", 405, "method not allowed: PUT /example.com/m/@v/v1.0.0.zip; allowed: GET, HEAD", headers: ["Content-Length: 4"], method: "PUT", body: "evil"),
        Send("method: DELETE", Module + "list", 405, "method not allowed: DELETE /example.com/m/@v/list; allowed: GET, HEAD", method: "DELETE"),
        Send("method: PATCH", Module + "list", 405, "method not allowed: PATCH /example.com/m/@v/list; allowed: GET, HEAD", method: "PATCH"),
        Send("method: TRACE", Module + "list", 405, "method not allowed: TRACE /example.com/m/@v/list; allowed: GET, HEAD", method: "TRACE"),
        Send("method: OPTIONS", Module + "list", 405, "method not allowed: OPTIONS /example.com/m/@v/list; allowed: GET, HEAD", method: "OPTIONS"),
        Send("method: CONNECT on a path", Module + "list", 405, "method not allowed: CONNECT /example.com/m/@v/list; allowed: GET, HEAD", method: "CONNECT"),
        Send("method: CONNECT to a host", "example.com:443", 400, "bad request: invalid Host header", method: "CONNECT"),
        Send("method: unknown", Module + "list", 405, "method not allowed: BREW /example.com/m/@v/list; allowed: GET, HEAD", method: "BREW"),

        // Sizes: a body nobody asked for changes nothing.
        Send("size: body on GET", Module + "v1.0.tar", 400, "unknown GOPROXY endpoint", headers: ["Content-Length: 5"], body: "hello"),
        Send("size: chunked body on GET", Module + "v1.0.tar", 400, "unknown GOPROXY endpoint", headers: ["Transfer-Encoding: chunked"], body: "5\r\nhello\r\n0\r\n\r\n"),

        // Credentials, where downloads need a token.
        Send("auth: no credentials", Module + "list", 401, "unauthorized: this gateway requires a token", clientAuth: true),
        Send("auth: unknown scheme", Module + "list", 401, "unauthorized: ", headers: ["Authorization: Negotiate abcdef"], clientAuth: true),
        Send("auth: Basic that is not base64", Module + "list", 401, "unauthorized: ", headers: ["Authorization: Basic !!!"], clientAuth: true),
        Send("auth: empty Bearer", Module + "list", 401, "unauthorized: ", headers: ["Authorization: Bearer"], clientAuth: true),
        Send("auth: unknown token", Module + "list", 401, "unauthorized: ", headers: ["Authorization: Bearer not-a-token"], clientAuth: true),
    }.ToDictionary(request => request.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names => [.. Requests.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Send_HostileRequest_RefusedWithTextReasonNothingFetchedNothingStored(string name)
    {
        var request = Requests[name];
        var gateway = request.ClientAuth ? gateways.WithClientAuth : gateways.Open;
        var filesBefore = gateways.DataFiles();
        var upstreamRequestsBefore = gateways.Upstream.TotalRequestCount;

        var response = await RawHttp.SendAsync(gateway.BaseUrl, request.Text(gateway.BaseUrl));

        Assert.Equal(request.Status, response.Status);
        Assert.StartsWith("text/plain", response.ContentType, StringComparison.Ordinal);
        Assert.Contains(request.Reason, response.Body, StringComparison.Ordinal);
        Assert.EndsWith("\n", response.Body, StringComparison.Ordinal);
        Assert.Equal(upstreamRequestsBefore, gateways.Upstream.TotalRequestCount);
        Assert.Equal(filesBefore, gateways.DataFiles());
    }

    [Fact]
    public async Task Send_MethodNotAllowed_KeepsTheAllowHeader()
    {
        var response = await RawHttp.SendAsync(gateways.Open.BaseUrl, Requests["method: POST"].Text(gateways.Open.BaseUrl));

        Assert.Equal("GET, HEAD", Assert.Single(response.Headers["Allow"]));
    }

    /// <summary>The reason goes into Kestrel's refusal only: the answer before it on the same connection is untouched.</summary>
    [Fact]
    public async Task Send_KeepAliveRequestThenNulInPath_FirstAnsweredAsUsualThenRefusalWithReason()
    {
        var host = $"Host: {new Uri(gateways.Open.BaseUrl).Authority}\r\n";
        var answers = await RawHttp.ExchangeAsync(
            gateways.Open.BaseUrl, $"GET /example.com/m HTTP/1.1\r\n{host}\r\nGET /example.com/m%00/@v/list HTTP/1.1\r\n{host}\r\n");

        var first = "not found: /example.com/m is not a GOPROXY endpoint\n";
        var second = "bad request: invalid request target (refused by the web server before the gateway read the request)\n";
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", answers, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {first.Length}\r\n", answers, StringComparison.Ordinal);
        Assert.Contains($"\r\n\r\n{first}HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {second.Length}\r\n", answers, StringComparison.Ordinal);
        Assert.EndsWith($"\r\n\r\n{second}", answers, StringComparison.Ordinal);
    }

    /// <summary>
    /// An answer to HEAD has no body, so Kestrel's refusal of one stays as Kestrel wrote it. (A request line Kestrel cannot
    /// take is refused before it knows the method: that refusal gets its reason even for HEAD, harmless as the connection closes.)
    /// </summary>
    [Fact]
    public async Task Send_HeadWithTwoHosts_RefusalWithoutBody()
    {
        var answer = await RawHttp.ExchangeAsync(gateways.Open.BaseUrl, "HEAD /example.com/m/@v/list HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", answer, StringComparison.Ordinal);
    }

    private static HostileRequest Get(string name, string target, int status, string reason) => Send(name, target, status, reason);

    private static HostileRequest Send(
        string name, string target, int status, string reason, string[]? headers = null, string method = "GET", string body = "",
        string version = "HTTP/1.1", bool host = true, bool clientAuth = false) =>
        new(name, method, target, headers ?? [], body, version, host, status, reason, clientAuth);

    /// <summary>One request as sent on the wire, and what the gateway must answer.</summary>
    private sealed record HostileRequest(
        string Name, string Method, string Target, string[] Headers, string Body, string Version, bool Host, int Status, string Reason, bool ClientAuth)
    {
        public string Text(string baseUrl)
        {
            var host = Host ? $"Host: {new Uri(baseUrl).Authority}\r\n" : "";
            return $"{Method} {Target} {Version}\r\n{host}{string.Concat(Headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n{Body}";
        }
    }

    /// <summary>One upstream with nothing in it, a gateway open to all, and one that wants a token.</summary>
    public sealed class Gateways : IAsyncLifetime
    {
        public StaticGoProxyServer Upstream { get; private set; } = null!;

        internal GatewayInstance Open { get; private set; } = null!;

        internal GatewayInstance WithClientAuth { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Upstream = StaticGoProxyServer.Start(TempDirectory.Create("empty-upstream"));
            Open = await GatewayInstance.StartAsync(Upstream.Url);
            WithClientAuth = await GatewayInstance.StartAsync(Upstream.Url, extraArguments: "--Gateway:ClientAuth=required");
        }

        /// <summary>Every file in both gateways' data folders.</summary>
        public string[] DataFiles() =>
            [.. new[] { Open, WithClientAuth }.SelectMany(g => Directory.GetFiles(g.DataDirectory, "*", SearchOption.AllDirectories)).Order(StringComparer.Ordinal)];

        public async Task DisposeAsync()
        {
            await WithClientAuth.DisposeAsync();
            await Open.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
