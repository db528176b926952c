using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Services;
using LmsPlatform.AppHost.Supervision;
using LmsPlatform.Contracts;
using Microsoft.Extensions.Configuration;

namespace LmsPlatform.AppHost.Servers;

/// <summary>
/// The platform's outgoing mail server when none is configured: the mail catcher (tools/MailCatcher), a real SMTP
/// server that keeps every mail and shows it on a page linked from the dashboard. Its connection string is the one a
/// real relay is given in production: <c>Endpoint=smtp://host:port</c>.
/// </summary>
public sealed class MailCatcherResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithServiceDiscovery, IResourceWithConnectionString
{
    internal const string SmtpEndpointName = "smtp";

    public EndpointReference Smtp => new(this, SmtpEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Endpoint=smtp://{Smtp.Property(EndpointProperty.IPV4Host)}:{Smtp.Property(EndpointProperty.Port)}");
}

public static class MailCatcherExtensions
{
    /// <summary>
    /// Outgoing mail: an existing relay when <c>ConnectionStrings:mail</c> is configured
    /// (<c>Endpoint=smtp://host:587;Username=...;Password=...</c>), otherwise the catcher.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddMailServer(this IDistributedApplicationBuilder builder, string name, PlatformData data)
    {
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 })
            return builder.AddConnectionString(name);
        var port = data.Port(name);
        return builder.AddService<Projects.MailCatcher, MailCatcherResource>(name, (n, command, directory) => new MailCatcherResource(n, command, directory))
            .WithEndpoint(MailCatcherResource.SmtpEndpointName, e => RabbitMQServerExtensions.Unproxied(e, port, "smtp"))
            .WithEnvironment("MailCatcher__SmtpPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("MailCatcher__Root", data.Folder(name))
            .WithUrlForEndpoint("http", u => u.DisplayText = "Mail sent by the platform")
            .WithRestartOnFailure()
            .WithIconName("MailInbox");
    }
}
