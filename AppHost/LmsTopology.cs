using LmsPlatform.Contracts;
using LmsPlatform.Hosting;
using Microsoft.Extensions.Configuration;

namespace LmsPlatform.AppHost;

/// <summary>
/// The platform's topology, read like an Aspire AppHost. Program.cs runs it; the tests start the same topology.
/// </summary>
public static class LmsTopology
{
    public const int DefaultGatewayPort = 8080;
    public const string AdminEmail = "admin@lms.local";
    /// <summary>The first administrator's password: a secret under .lms/secrets, printed on the first start.</summary>
    public const string AdminPasswordSecret = "identity-admin-password";

    public static DistributedApplicationBuilder AddLmsPlatform(this DistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres(ResourceNames.Postgres);
        var eventBus = builder.AddRabbitMQ(ResourceNames.EventBus).WithManagementPlugin();
        var redis = builder.AddRedis(ResourceNames.Redis);

        var identityDb = postgres.AddDatabase(ResourceNames.IdentityDb);
        var catalogueDb = postgres.AddDatabase(ResourceNames.CatalogueDb);
        var enrolmentDb = postgres.AddDatabase(ResourceNames.EnrolmentDb);
        var contentDb = postgres.AddDatabase(ResourceNames.ContentDb);
        var notificationDb = postgres.AddDatabase(ResourceNames.NotificationDb);
        var analyticsDb = postgres.AddDatabase(ResourceNames.AnalyticsDb);

        // Tokens are issued for the gateway's public address, so it is known before anything starts.
        var gatewayPort = builder.Configuration.GetValue("Gateway:Port", DefaultGatewayPort);
        if (gatewayPort == 0) gatewayPort = HostingContext.FreePort();
        var issuer = builder.Configuration["Gateway:PublicUrl"] ?? $"http://127.0.0.1:{gatewayPort}";

        var identity = builder.AddProject(ResourceNames.IdentityApi, "services/Identity/Identity.Api.csproj")
            .WithReference(identityDb).WaitFor(identityDb)
            .WithReference(eventBus).WaitFor(eventBus)
            .WithEnvironment("Identity__BootstrapAdmin__Email", AdminEmail)
            .WithSecret("Identity__BootstrapAdmin__Password", AdminPasswordSecret);

        var catalogue = builder.AddProject(ResourceNames.CatalogueApi, "services/Catalogue/Catalogue.Api.csproj")
            .WithReference(catalogueDb).WaitFor(catalogueDb)
            .WithReference(eventBus).WaitFor(eventBus)
            .WithReference(redis).WaitFor(redis);

        var enrolment = builder.AddProject(ResourceNames.EnrolmentApi, "services/Enrolment/Enrolment.Api.csproj")
            .WithReference(enrolmentDb).WaitFor(enrolmentDb)
            .WithReference(eventBus).WaitFor(eventBus);

        var content = builder.AddProject(ResourceNames.ContentApi, "services/ContentDelivery/ContentDelivery.Api.csproj")
            .WithReference(contentDb).WaitFor(contentDb)
            .WithReference(eventBus).WaitFor(eventBus);

        var notification = builder.AddProject(ResourceNames.NotificationApi, "services/Notification/Notification.Api.csproj")
            .WithReference(notificationDb).WaitFor(notificationDb)
            .WithReference(eventBus).WaitFor(eventBus);

        var analytics = builder.AddProject(ResourceNames.AnalyticsApi, "services/Analytics/Analytics.Api.csproj")
            .WithReference(analyticsDb).WaitFor(analyticsDb)
            .WithReference(eventBus).WaitFor(eventBus);

        var gateway = builder.AddProject(ResourceNames.Gateway, "gateway/Gateway.csproj")
            .WithHttpEndpoint(port: gatewayPort)
            .WithReference(identity).WaitFor(identity)
            .WithReference(catalogue).WaitFor(catalogue)
            .WithReference(enrolment).WaitFor(enrolment)
            .WithReference(content).WaitFor(content)
            .WithReference(notification).WaitFor(notification)
            .WithReference(analytics).WaitFor(analytics);

        foreach (var project in new[] { identity, catalogue, enrolment, content, notification, analytics, gateway })
            project.WithEnvironment("Identity__Issuer", issuer);
        return builder;
    }
}
