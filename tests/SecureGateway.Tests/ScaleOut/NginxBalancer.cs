using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.ScaleOut;

/// <summary>
/// nginx from the Debian packages as the load balancer in front of gateway replicas: round robin, a replica that refuses
/// connections or answers 502/503 is skipped and the request tried on the next (as a production balancer is set up).
/// </summary>
internal sealed class NginxBalancer : IAsyncDisposable
{
    private static readonly string[] Executables = ["/usr/sbin/nginx", "/usr/bin/nginx"];

    private readonly Process process;
    private readonly string directory;

    private NginxBalancer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    /// <summary>
    /// Starts nginx on a free port in front of <paramref name="replicas"/> and checks a request reaches one of them through
    /// it: a port chosen here can be taken by another test's server before nginx binds it, so that is tried again.
    /// </summary>
    public static async Task<NginxBalancer> StartAsync(IReadOnlyList<string> replicas)
    {
        for (var attempt = 1; ; attempt++)
        {
            var balancer = await LaunchAsync(replicas);
            if (await balancer.ReachesAGatewayAsync() || attempt == 3)
            {
                return balancer;
            }

            await balancer.DisposeAsync();
        }
    }

    private async Task<bool> ReachesAGatewayAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var answer = await http.GetStringAsync(Url + "/readyz");
            return !process.HasExited && answer.Contains("decision-feed:", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<NginxBalancer> LaunchAsync(IReadOnlyList<string> replicas)
    {
        var nginx = Executables.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx is not installed: apt-get install nginx (.ci/run installs it)");
        var directory = TempDirectory.Create("nginx");
        var port = FreePort();
        var servers = string.Join('\n', replicas.Select(r => $"        server {new Uri(r).Authority} max_fails=1 fail_timeout=10s;"));
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                upstream gateways {
            {{servers}}
                    keepalive 32;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://gateways;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_next_upstream error timeout http_502 http_503;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 120s;
                    }
                }
            }
            """);
        var process = Process.Start(new ProcessStartInfo(nginx, ["-p", directory, "-c", Path.Combine(directory, "nginx.conf"), "-e", Path.Combine(directory, "error.log")])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        var balancer = new NginxBalancer(process, directory, port);
        await balancer.WaitUntilListeningAsync(port);
        return balancer;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private async Task WaitUntilListeningAsync(int port)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                var log = File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log")) : "";
                throw new InvalidOperationException($"nginx did not listen on {port}: {log}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
