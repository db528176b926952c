using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Servers;
using LmsPlatform.AppHost.Services;
using LmsPlatform.AppHost.Supervision;
using LmsPlatform.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.AppHost;

/// <summary>
/// The platform's Aspire application model: PostgreSQL (a database per service), RabbitMQ and Redis as executable
/// resources from the operating system's packages (or existing servers by connection string), the six services and
/// the gateway. <c>./lms run</c>, the tests (Aspire.Hosting.Testing) and the load driver all start this model.
/// </summary>
public static class LmsTopology
{
    public const int DefaultGatewayPort = 8080;
    public const int DefaultDashboardPort = 18888;
    public const string AdminEmail = "admin@lms.local";
    /// <summary>The first administrator's password: a secret under the data folder, printed on the first start.</summary>
    public const string AdminPasswordSecret = "identity-admin-password";
    public const string DashboardTokenSecret = "dashboard-token";
    /// <summary>The key content signs players' short-lived URLs with (the same for every replica).</summary>
    public const string ContentSigningKeySecret = "content-signing-key";
    /// <summary>The key notification signs one-click unsubscribe links with.</summary>
    public const string UnsubscribeKeySecret = "notification-unsubscribe-key";

    /// <summary>When the model was built: the start the ready notice measures from (not the process's, which under
    /// <c>./lms run</c> is the script's, before the build).</summary>
    public static DateTime ModelBuiltAt { get; private set; } = DateTime.Now;

    public static IDistributedApplicationBuilder AddLmsPlatform(this IDistributedApplicationBuilder builder)
    {
        ModelBuiltAt = DateTime.Now;
        var data = new PlatformData(
            builder.Configuration[PlatformData.DirectoryKey] ?? Path.Combine(builder.AppHostDirectory, "..", ".lms"),
            builder.Configuration.GetValue<bool>(PlatformData.ThrowawayKey),
            builder.Configuration.GetValue<bool?>(PlatformData.DurableKey));
        builder.Services.AddSingleton(data);
        // Stopping the AppHost waits until DCP has stopped every process, so that nothing outlives ./lms run or a test.
        builder.Configuration["DcpPublisher:WaitForResourceCleanup"] ??= "true";
        // Health is shown per resource in the dashboard; a log line per failed probe (every few seconds while a server
        // starts or stops) would only bury what matters.
        builder.Services.AddLogging(logging => logging
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        var firstStart = !data.HasSecret(AdminPasswordSecret);
        if (!data.Throwaway)
        {
            builder.ConfigureDashboard(data);
            builder.AddRotatingLog(data);
        }

        var postgres = builder.AddPostgresServer(ResourceNames.Postgres, data);
        var eventBus = builder.AddRabbitMQServer(ResourceNames.EventBus, data);
        var redis = builder.AddRedisServer(ResourceNames.Redis, data);
        var mail = builder.AddMailServer(ResourceNames.Mail, data);

        var identityDb = postgres.AddDatabase(ResourceNames.IdentityDb);
        var catalogueDb = postgres.AddDatabase(ResourceNames.CatalogueDb);
        var enrolmentDb = postgres.AddDatabase(ResourceNames.EnrolmentDb);
        var contentDb = postgres.AddDatabase(ResourceNames.ContentDb);
        var notificationDb = postgres.AddDatabase(ResourceNames.NotificationDb);
        var analyticsDb = postgres.AddDatabase(ResourceNames.AnalyticsDb);

        var adminPassword = builder.AddParameter(AdminPasswordSecret, data.Secret(AdminPasswordSecret), secret: true);

        // Services wait for their database (migrations run at start) but not for the broker: RabbitMQ takes about ten
        // seconds to boot, in which the services start, and MassTransit connects when it is there (as in Kubernetes,
        // where nothing waits for anything). A service is healthy only once its bus is connected.
        var identity = builder.AddService<Projects.Identity_Api>(ResourceNames.IdentityApi)
            .WithReference(identityDb).WaitFor(identityDb)
            .WithReference(eventBus)
            .WithEnvironment("Identity__BootstrapAdmin__Email", AdminEmail)
            .WithEnvironment("Identity__BootstrapAdmin__Password", adminPassword);

        var catalogue = builder.AddService<Projects.Catalogue_Api>(ResourceNames.CatalogueApi)
            .WithReference(catalogueDb).WaitFor(catalogueDb)
            .WithReference(eventBus)
            .WithReference(redis).WaitFor(redis);

        var enrolment = builder.AddService<Projects.Enrolment_Api>(ResourceNames.EnrolmentApi)
            .WithReference(enrolmentDb).WaitFor(enrolmentDb)
            .WithReference(eventBus)
            // The organisation certificates name as their issuer (./lms run --Certificates:Organisation="Acme Rail").
            .WithEnvironment("Certificates__Organisation", builder.Configuration["Certificates:Organisation"] ?? "LmsPlatform");

        var content = builder.AddService<Projects.ContentDelivery_Api>(ResourceNames.ContentApi)
            .WithReference(contentDb).WaitFor(contentDb)
            .WithReference(eventBus)
            // Uploaded files and packages: a local volume in the run's data folder (S3-compatible storage in Kubernetes).
            .WithEnvironment("Content__Storage__Root", data.Folder("content-store"))
            .WithEnvironment("Content__Runtime__SigningKey", builder.AddParameter(ContentSigningKeySecret, data.Secret(ContentSigningKeySecret), secret: true));

        var notification = builder.AddService<Projects.Notification_Api>(ResourceNames.NotificationApi)
            .WithReference(notificationDb).WaitFor(notificationDb)
            .WithReference(eventBus)
            // Mail waits in the delivery queue while the relay is away, so nothing waits for it at start.
            .WithReference(mail)
            .WithEnvironment("Notification__Organisation", builder.Configuration["Certificates:Organisation"] ?? "LmsPlatform")
            .WithEnvironment("Notification__Mail__From", builder.Configuration["Notification:Mail:From"] ?? "Learning <learning@lms.local>")
            .WithEnvironment("Notification__UnsubscribeKey", builder.AddParameter(UnsubscribeKeySecret, data.Secret(UnsubscribeKeySecret), secret: true));

        var analytics = builder.AddService<Projects.Analytics_Api>(ResourceNames.AnalyticsApi)
            .WithReference(analyticsDb).WaitFor(analyticsDb)
            .WithReference(eventBus)
            // What ./lms backup and ./lms restore-test publish for the cockpit's backup checks (never the archives).
            .WithEnvironment("Operations__Backups__Path", Path.Combine(data.Folder("backups"), "status"));

        var gatewayPort = builder.Configuration.GetValue("Gateway:Port", DefaultGatewayPort);
        // The gateway starts with the services, not after them: it only proxies, and its /health reports each service.
        var gateway = builder.AddService<Projects.Gateway>(ResourceNames.Gateway)
            .WithReference(identity)
            .WithReference(catalogue)
            .WithReference(enrolment)
            .WithReference(content)
            .WithReference(notification)
            .WithReference(analytics);
        if (gatewayPort != 0) gateway.WithEndpoint("http", e => e.Port = e.TargetPort = gatewayPort);
        // The portal calls the APIs through the gateway, which serves it at "/".
        // Its sign-ins and cookie keys live in Redis, so any replica serves anyone and a restart signs nobody out.
        var portal = builder.AddService<Projects.Portal>(ResourceNames.Portal).WithReference(redis).WaitFor(redis);
        gateway.WithReference(portal);

        // Tokens are issued for the gateway's public address: the proxy's address here, the ingress's in production.
        var publicUrl = builder.Configuration["Gateway:PublicUrl"];
        var issuer = publicUrl is { Length: > 0 }
            ? ReferenceExpression.Create($"{publicUrl}")
            : ReferenceExpression.Create($"{gateway.GetEndpoint("http").Property(EndpointProperty.Url)}");
        foreach (var service in new[] { identity, catalogue, enrolment, content, notification, analytics, gateway, portal })
            service.WithEnvironment("Identity__Issuer", issuer).WithRestartOnFailure();

        builder.Services.AddSingleton<Watchdog>();
        builder.Services.AddHostedService<OrderedShutdown>();
        // Aspire starts its orchestrator before our hosted services (and waits in it for every resource), so the
        // watchdog and the ready notice start from the event that comes before any resource starts.
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = e.Services.GetRequiredService<Watchdog>().RunAsync(stopping);
            _ = new ReadyNotice(e.Services, data, firstStart).RunAsync(stopping);
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>
    /// The dashboard for <c>./lms run</c>: plain http on loopback (no developer certificate needed), fixed ports, and a
    /// login token kept under the data folder so that a bookmarked login link keeps working.
    /// </summary>
    private static void ConfigureDashboard(this IDistributedApplicationBuilder builder, PlatformData data)
    {
        var port = builder.Configuration.GetValue("Dashboard:Port", DefaultDashboardPort);
        var defaults = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{port + 1}",
            ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{port + 2}",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
        };
        foreach (var (key, value) in defaults)
            if (string.IsNullOrEmpty(builder.Configuration[key])) builder.Configuration[key] = value;
        // Aspire generates a token per run when the builder is created; ours replaces it (delete the file to rotate).
        builder.Configuration["AppHost:BrowserToken"] = data.Secret(DashboardTokenSecret);
    }
}
