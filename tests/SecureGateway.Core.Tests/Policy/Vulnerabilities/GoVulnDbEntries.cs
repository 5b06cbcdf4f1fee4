namespace SecureGateway.Core.Tests.Policy.Vulnerabilities;

/// <summary>
/// Real entries of the Go vulnerability database, as published in OSV format. Where each came from:
/// <list type="bullet">
/// <item><see cref="Go2022_0969"/>: github.com/golang/vulndb, <c>data/osv/GO-2022-0969.json</c> at commit 09108148251cd39e3719b23431ffcfcfb7b96949 (verbatim).</item>
/// <item><see cref="Go2023_1699"/>: github.com/golang/vulndb, <c>data/osv/GO-2023-1699.json</c> at commit 7cb2ee2ca57cb091e612a15bd3a4fef287013bdf (verbatim).</item>
/// <item><see cref="Go2022_0229"/> and <see cref="Go2022_0463"/>: github.com/golang/vuln, <c>internal/client/testdata/vulndb-v1/ID/</c>
/// at commit 29330301d816efefc5f58d7d86f817b9412b8ef8 (vuln.go.dev's compact form with real <c>modified</c> times); in
/// GO-2022-0463 the long <c>ecosystem_specific.imports[].symbols</c> lists are shortened, nothing else is changed.</item>
/// </list>
/// <see cref="ModulesIndexFixed"/> are the <c>fixed</c> values of the same commit's <c>index/modules.json</c>.
/// </summary>
internal static class GoVulnDbEntries
{
    /// <summary>HTTP/2 server hang: stdlib and golang.org/x/net (fixed in a pseudo-version); no summary, so details stand in.</summary>
    public const string Go2022_0969 = """
        {
          "schema_version": "1.3.1",
          "id": "GO-2022-0969",
          "modified": "0001-01-01T00:00:00Z",
          "published": "2022-09-12T20:23:06Z",
          "aliases": [
            "CVE-2022-27664",
            "GHSA-69cg-p879-7622"
          ],
          "details": "HTTP/2 server connections can hang forever waiting for a clean shutdown that was preempted by a fatal error. This condition can be exploited by a malicious client to cause a denial of service.",
          "affected": [
            {
              "package": {
                "name": "stdlib",
                "ecosystem": "Go"
              },
              "ranges": [
                {
                  "type": "SEMVER",
                  "events": [
                    {
                      "introduced": "0"
                    },
                    {
                      "fixed": "1.18.6"
                    },
                    {
                      "introduced": "1.19.0-0"
                    },
                    {
                      "fixed": "1.19.1"
                    }
                  ]
                }
              ],
              "ecosystem_specific": {
                "imports": [
                  {
                    "path": "net/http",
                    "symbols": [
                      "ListenAndServe",
                      "ListenAndServeTLS",
                      "Serve",
                      "ServeTLS",
                      "Server.ListenAndServe",
                      "Server.ListenAndServeTLS",
                      "Server.Serve",
                      "Server.ServeTLS",
                      "http2Server.ServeConn",
                      "http2serverConn.goAway"
                    ]
                  }
                ]
              }
            },
            {
              "package": {
                "name": "golang.org/x/net",
                "ecosystem": "Go"
              },
              "ranges": [
                {
                  "type": "SEMVER",
                  "events": [
                    {
                      "introduced": "0"
                    },
                    {
                      "fixed": "0.0.0-20220906165146-f3363e06e74c"
                    }
                  ]
                }
              ],
              "ecosystem_specific": {
                "imports": [
                  {
                    "path": "golang.org/x/net/http2",
                    "symbols": [
                      "Server.ServeConn",
                      "serverConn.goAway"
                    ]
                  }
                ]
              }
            }
          ],
          "references": [
            {
              "type": "WEB",
              "url": "https://groups.google.com/g/golang-announce/c/x49AQzIVX-s"
            },
            {
              "type": "REPORT",
              "url": "https://go.dev/issue/54658"
            },
            {
              "type": "FIX",
              "url": "https://go.dev/cl/428735"
            }
          ],
          "credits": [
            {
              "name": "Bahruz Jabiyev"
            },
            {
              "name": "Tommaso Innocenti"
            },
            {
              "name": "Anthony Gavazzi"
            },
            {
              "name": "Steven Sprecher"
            },
            {
              "name": "Kaan Onarlioglu"
            }
          ],
          "database_specific": {
            "url": "https://pkg.go.dev/vuln/GO-2022-0969"
          }
        }
        """;

    /// <summary>Docker Swarm overlay network: two ranges on +incompatible versions (introduced 1.12.0, fixed 20.10.24+incompatible; introduced 23.0.0+incompatible, fixed 23.0.3+incompatible).</summary>
    public const string Go2023_1699 = """
        {
          "schema_version": "1.3.1",
          "id": "GO-2023-1699",
          "modified": "0001-01-01T00:00:00Z",
          "published": "0001-01-01T00:00:00Z",
          "aliases": [
            "CVE-2023-28840",
            "GHSA-232p-vwff-86mp"
          ],
          "summary": "Docker Swarm encrypted overlay network may be unauthenticated in github.com/docker/docker",
          "details": "Docker Swarm encrypted overlay network may be unauthenticated in github.com/docker/docker",
          "affected": [
            {
              "package": {
                "name": "github.com/docker/docker",
                "ecosystem": "Go"
              },
              "ranges": [
                {
                  "type": "SEMVER",
                  "events": [
                    {
                      "introduced": "1.12.0"
                    },
                    {
                      "fixed": "20.10.24+incompatible"
                    },
                    {
                      "introduced": "23.0.0+incompatible"
                    },
                    {
                      "fixed": "23.0.3+incompatible"
                    }
                  ]
                }
              ],
              "ecosystem_specific": {}
            }
          ],
          "references": [
            {
              "type": "ADVISORY",
              "url": "https://github.com/moby/moby/security/advisories/GHSA-232p-vwff-86mp"
            },
            {
              "type": "ADVISORY",
              "url": "https://nvd.nist.gov/vuln/detail/CVE-2023-28840"
            },
            {
              "type": "WEB",
              "url": "https://github.com/moby/libnetwork/security/advisories/GHSA-gvm4-2qqg-m333"
            },
            {
              "type": "WEB",
              "url": "https://github.com/moby/moby/issues/43382"
            },
            {
              "type": "WEB",
              "url": "https://github.com/moby/moby/pull/45118"
            },
            {
              "type": "WEB",
              "url": "https://github.com/moby/moby/security/advisories/GHSA-33pg-m6jh-5237"
            },
            {
              "type": "WEB",
              "url": "https://github.com/moby/moby/security/advisories/GHSA-6wrf-mxfj-pf5p"
            },
            {
              "type": "WEB",
              "url": "https://github.com/moby/moby/security/advisories/GHSA-vwm3-crmr-xfxw"
            }
          ],
          "database_specific": {
            "url": "https://pkg.go.dev/vuln/GO-2023-1699",
            "review_status": "UNREVIEWED"
          }
        }
        """;

    /// <summary>cryptobyte panic on 32-bit: stdlib (two ranges) and golang.org/x/crypto, fixed in a pseudo-version.</summary>
    public const string Go2022_0229 = """
        {"schema_version":"1.3.1","id":"GO-2022-0229","modified":"2023-04-03T15:57:51Z","published":"2022-07-06T18:23:48Z","aliases":["CVE-2020-7919","GHSA-cjjc-xp8v-855w"],"details":"On 32-bit architectures, a malformed input to crypto/x509 or the ASN.1 parsing functions of golang.org/x/crypto/cryptobyte can lead to a panic.\n\nThe malformed certificate can be delivered via a crypto/tls connection to a client, or to a server that accepts client certificates. net/http clients can be made to crash by an HTTPS server, while net/http servers that accept client certificates will recover the panic and are unaffected.","affected":[{"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.12.16"},{"introduced":"1.13.0"},{"fixed":"1.13.7"}]}],"ecosystem_specific":{"imports":[{"path":"crypto/x509"}]}},{"package":{"name":"golang.org/x/crypto","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.0.0-20200124225646-8b5121be2f68"}]}],"ecosystem_specific":{"imports":[{"path":"golang.org/x/crypto/cryptobyte"}]}}],"references":[{"type":"FIX","url":"https://go.dev/cl/216680"},{"type":"FIX","url":"https://go.googlesource.com/go/+/b13ce14c4a6aa59b7b041ad2b6eed2d23e15b574"},{"type":"FIX","url":"https://go.dev/cl/216677"},{"type":"REPORT","url":"https://go.dev/issue/36837"},{"type":"WEB","url":"https://groups.google.com/g/golang-announce/c/Hsw4mHYc470"}],"credits":[{"name":"Project Wycheproof"}],"database_specific":{"url":"https://pkg.go.dev/vuln/GO-2022-0229"}}
        """;

    /// <summary>beego route matching: three modules (astaxie/beego unfixed, beego/beego fixed 1.12.9, beego/beego/v2 fixed 2.0.3).</summary>
    public const string Go2022_0463 = """
        {"schema_version":"1.3.1","id":"GO-2022-0463","modified":"2023-04-03T15:57:51Z","published":"2022-07-01T20:06:59Z","aliases":["CVE-2022-31259","GHSA-qx32-f6g6-fcfr"],"details":"Routes in the beego HTTP router can match unintended patterns. This overly-broad matching may permit an attacker to bypass access controls.\n\nFor example, the pattern \"/a/b/:name\" can match the URL \"/a.xml/b/\". This may bypass access control applied to the prefix \"/a/\".","affected":[{"package":{"name":"github.com/astaxie/beego","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],"ecosystem_specific":{"imports":[{"path":"github.com/astaxie/beego","symbols":["App.Run","ControllerRegister.FindPolicy","ControllerRegister.FindRouter","ControllerRegister.ServeHTTP"]}]}},{"package":{"name":"github.com/beego/beego","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.12.9"}]}],"ecosystem_specific":{"imports":[{"path":"github.com/beego/beego","symbols":["App.Run","ControllerRegister.FindPolicy","ControllerRegister.FindRouter","ControllerRegister.ServeHTTP"]}]}},{"package":{"name":"github.com/beego/beego/v2","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.3"}]}],"ecosystem_specific":{"imports":[{"path":"github.com/beego/beego/v2/server/web","symbols":["AddNamespace","AddViewPath","Any","AutoPrefix"]}]}}],"references":[{"type":"FIX","url":"https://github.com/beego/beego/pull/4958"},{"type":"FIX","url":"https://github.com/beego/beego/commit/64cf44d725c8cc35d782327d333df9cbeb1bf2dd"},{"type":"WEB","url":"https://beego.vip"},{"type":"WEB","url":"https://github.com/beego/beego/issues/4946"},{"type":"WEB","url":"https://github.com/beego/beego/pull/4954"}],"database_specific":{"url":"https://pkg.go.dev/vuln/GO-2022-0463"}}
        """;

    /// <summary>(entry, module, fixed) from the same commit's <c>index/modules.json</c>; fixed is OSV's, without <c>v</c>.</summary>
    public static readonly TheoryData<string, string, string> ModulesIndexFixed = new()
    {
        { "GO-2022-0463", "github.com/beego/beego", "1.12.9" },
        { "GO-2022-0463", "github.com/beego/beego/v2", "2.0.3" },
        { "GO-2022-0229", "golang.org/x/crypto", "0.0.0-20200124225646-8b5121be2f68" },
    };

    public static string ById(string id) => id switch
    {
        "GO-2022-0969" => Go2022_0969,
        "GO-2023-1699" => Go2023_1699,
        "GO-2022-0229" => Go2022_0229,
        "GO-2022-0463" => Go2022_0463,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "no such test entry"),
    };
}
