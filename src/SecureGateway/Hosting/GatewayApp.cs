using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureGateway.Review;
using SecureGateway.Access;
using SecureGateway.Admin;
using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data;
using SecureGateway.Facts;
using SecureGateway.Health;
using SecureGateway.Ledger;
using SecureGateway.Observability;
using SecureGateway.Policy;
using SecureGateway.Protocol;
using SecureGateway.Reports;
using SecureGateway.Storage;
using SecureGateway.Upstream;
using SecureGateway.Verification.ChecksumDb;
using SecureGateway.WebConsole;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace SecureGateway.Hosting;

/// <summary>Builds the gateway's web application: configuration, services and endpoints in one place.</summary>
public static class GatewayApp
{
    private const string DefaultUrls = "http://localhost:8080";
    private const int MaxRequestLineBytes = 64 * 1024;

    /// <summary>
    /// The application, not yet started: call <see cref="StartDatabaseAsync"/> before serving. <paramref name="overrides"/>
    /// runs after the gateway's own registrations, so a test can replace a service (the clock) in the real composition.
    /// </summary>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? overrides = null)
    {
        // appsettings.json ships beside the binary; relative data and policy paths are resolved from the working directory.
        // Named after this assembly, not the entry one, so the console's compiled pages are found in any host (tests too).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory, ApplicationName = typeof(GatewayApp).Assembly.GetName().Name,
        });
        builder.AddGateway();
        overrides?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseStatusCodePages(ProxyResults.ExplainEmptyAsync);
        app.Logger.LogChecksumDb(app.Services.GetRequiredService<SumDbSettings>(), app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.NoSumDb);
        app.MapGatewayEndpoints();
        return app;
    }

    public static async Task StartDatabaseAsync(this WebApplication app, CancellationToken cancellationToken, bool joinRunningServer = false) =>
        await app.Services.GetRequiredService<AuditDatabase>().StartAsync(joinRunningServer, cancellationToken);

    private static void AddGateway(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(GatewayOptions.Section);
        var options = section.Get<GatewayOptions>() ?? new GatewayOptions();
        options = options with { DataDir = Path.GetFullPath(options.DataDir), PolicyDir = Path.GetFullPath(options.PolicyDir) };
        options = WithPrivateModules(options);
        if (options.MaxAdmissions < 1 || options.MaxQueuedAdmissions < 0)
        {
            throw new InvalidOperationException("Gateway:MaxAdmissions must be at least 1 and Gateway:MaxQueuedAdmissions at least 0");
        }

        Directory.CreateDirectory(options.DataDir);

        // Stdout belongs to what a command prints (a token, JSON, a report, a checkpoint); every log line goes to stderr.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);

        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration["http_ports"]) && string.IsNullOrEmpty(builder.Configuration["https_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        // Kestrel answers a request line over its limit with an empty 414 the go user cannot read; up to this size the
        // gateway itself refuses an over-long module path with a reason.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes);
        builder.AddKestrelRefusalReasons();

        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<AuditDatabase>();
        services.AddSingleton<DatabaseLocks>();
        services.AddPooledDbContextFactory<AuditDbContext>((provider, db) =>
            db.UseAuditDatabase(provider.GetRequiredService<AuditDatabase>().ConnectionString));
        var sumdb = SumDbSettings.Parse(options.SumDb);
        services.AddSingleton(sumdb);
        services.AddReverseProxy().LoadFromMemory([], [.. UpstreamRouter.Clusters(options), .. ChecksumDbCluster(sumdb, options)]);

        // The request path, top to bottom: protocol → upstream → verification → admission → storage and audit.
        services.AddSingleton<VersionQueries>();
        services.AddSingleton(provider => new UpstreamListCache(
            (modulePath, file, cancellationToken) => VersionQueries.FetchAsync(provider.GetRequiredService<UpstreamRouter>(), modulePath, file, cancellationToken),
            options.ListCacheTime, options.ListCacheBytes, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new UpstreamRouter(options, provider.GetRequiredService<IProxyStateLookup>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AdmissionService>();
        services.AddSingleton<FactsCollector>();

        // The decision is the authority on what is served: current decisions are loaded (and kept current by NOTIFY)
        // before anything is served, then storage is repaired to match them.
        services.AddSingleton<ServingDecisions>();
        services.AddSingleton<ArtefactPlacement>();
        services.AddSingleton<DecisionFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<DecisionFeed>());
        services.AddSingleton<StorageRepair>();
        services.AddHostedService<StorageRepairAtStart>();

        // The review lifecycle: acts after admission, and later knowledge acted on.
        services.AddSingleton<ReviewLog>();
        services.AddSingleton<QuarantineReview>();
        services.AddSingleton<Revocation>();
        services.AddSingleton<Reconsideration>();
        services.AddSingleton<Reevaluation>();
        services.AddSingleton<ReevaluationRuns>();
        services.AddHostedService<WaiverExpiry>();
        services.AddSingleton<LaterKnowledge>();
        services.AddSingleton<CurrentDecisions>();
        services.AddComplianceReports();
        services.AddSingleton<LivePolicy>();
        services.AddSingleton<PolicyImpact>();
        services.AddHostedService<LicenceCorpusWarmUp>();
        services.AddHostedService(provider => provider.GetRequiredService<LaterKnowledge>());
        services.AddHostedService(provider => provider.GetRequiredService<LivePolicy>());
        services.AddSingleton(TimeProvider.System);
        services.AddFactSources(builder.Configuration);
        services.AddKeyedSingleton<IUpstream>(ChecksumDbProxyEndpoints.ClusterId, (provider, _) => new HttpUpstream(
            ChecksumDbProxyEndpoints.ClusterId, sumdb.Url is { } url ? RedactedUrl.Of(url).TrimEnd('/') : "", provider.GetRequiredService<IProxyStateLookup>(), options.UpstreamTimeout,
            options.UpstreamDeadline, RedirectPolicy.From(options.UpstreamRedirectHosts), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new ChecksumDbTiles(
            provider.GetRequiredKeyedService<IUpstream>(ChecksumDbProxyEndpoints.ClusterId), Path.Combine(options.DataDir, "sumdb", sumdb.Name)));
        services.AddSingleton(provider => new ChecksumDbVerifier(
            sumdb, options.NoSumDb, provider.GetRequiredKeyedService<IUpstream>(ChecksumDbProxyEndpoints.ClusterId),
            provider.GetRequiredService<ChecksumDbTiles>(), provider.GetRequiredService<TrustedHeads>(), provider.GetRequiredService<DatabaseLocks>(),
            provider.GetRequiredService<ILogger<ChecksumDbVerifier>>()));
        services.AddSingleton<TrustedHeads>();
        services.AddSingleton(provider => new GatewayStorage(
            GatewayStorage.CreateStore(options.Store, options.DataDir, provider.GetRequiredService<TimeProvider>()), options.DataDir));
        services.AddSingleton(new HotArtefacts(options.HotSetBytes));
        services.AddSingleton<DecisionLog>();
        services.AddSingleton<AuditEventLog>();
        services.AddSingleton<RangeRevocations>();
        services.AddSingleton<AuditChain>();
        services.AddSingleton(Options.Create(AuditCheckpointSettings(builder.Configuration)));
        services.AddSingleton<AuditCheckpoints>();
        services.AddHttpClient(CheckpointExport.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddHostedService<CheckpointExport>();
        services.AddGatewayAccess(builder.Configuration);
        services.AddWebConsole();
        services.AddDownloadLedger();
        services.AddGatewayHealthChecks();
        services.AddAdminOpenApi();
        builder.AddGatewayObservability();
    }

    /// <summary>The <c>Gateway:Audit</c> section, checked at start: a checkpoint destination must be a file or an https URL (http only to this machine).</summary>
    private static AuditCheckpointOptions AuditCheckpointSettings(ConfigurationManager configuration)
    {
        var settings = configuration.GetSection(AuditCheckpointOptions.Section).Get<AuditCheckpointOptions>() ?? new AuditCheckpointOptions();
        if (settings.CheckpointInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{AuditCheckpointOptions.Section}:CheckpointInterval {settings.CheckpointInterval}: use a positive time span, e.g. 01:00:00");
        }

        if (!string.IsNullOrWhiteSpace(settings.CheckpointKey))
        {
            try
            {
                _ = NoteSigner.Parse(settings.CheckpointKey.Trim());
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"{AuditCheckpointOptions.Section}:CheckpointKey: not a signer key (PRIVATE+KEY+name+hash+key): {e.Message}", e);
            }
        }

        if (Uri.TryCreate(settings.CheckpointTo, UriKind.Absolute, out var uri) && !uri.IsFile && !(uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback)))
        {
            throw new InvalidOperationException($"{AuditCheckpointOptions.Section}:CheckpointTo {RedactedUrl.Of(uri)}: use a file path or an https URL");
        }

        return settings;
    }

    /// <summary>
    /// <c>Gateway:Private</c> becomes the first upstream route and joins the checksum DB's private patterns. Without a
    /// private upstream the modules would go to the public one, which is exactly the leak the setting prevents.
    /// </summary>
    private static GatewayOptions WithPrivateModules(GatewayOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Private))
        {
            return options;
        }

        if (string.IsNullOrWhiteSpace(options.PrivateUpstream))
        {
            throw new InvalidOperationException("Gateway:Private needs Gateway:PrivateUpstream, the GOPROXY that serves those modules");
        }

        return options with
        {
            Upstreams = [new UpstreamRoute { Modules = options.Private, Url = options.PrivateUpstream }, .. options.Upstreams],
            NoSumDb = string.IsNullOrWhiteSpace(options.NoSumDb) ? options.Private : $"{options.Private},{options.NoSumDb}",
        };
    }

    private static IEnumerable<ClusterConfig> ChecksumDbCluster(SumDbSettings sumdb, GatewayOptions options) =>
        sumdb.Url is null
            ? []
            : [new ClusterConfig
            {
                ClusterId = ChecksumDbProxyEndpoints.ClusterId,
                Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = sumdb.Url.AbsoluteUri } },
                HttpRequest = new() { ActivityTimeout = options.UpstreamTimeout },
            }];

    private static void MapGatewayEndpoints(this WebApplication app)
    {
        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        app.MapAdminApi();
        app.MapWebConsole();
        app.MapOpenApi();
        app.MapReverseProxy();
        app.MapChecksumDbProxy();
        app.MapModuleProtocol();
    }
}
