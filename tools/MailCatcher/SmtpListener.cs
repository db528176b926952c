using System.Buffers;
using System.Net;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace LmsPlatform.MailCatcher;

/// <summary>
/// The SMTP side, on 127.0.0.1 at <c>MailCatcher:SmtpPort</c>. A recipient whose local part starts with
/// <c>bounce</c> is refused with 550 (mailbox unavailable), so the platform's handling of a permanent failure can be
/// seen and tested.
/// </summary>
public sealed class SmtpListener(MailStore store, IConfiguration configuration, ILogger<SmtpListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var port = configuration.GetValue("MailCatcher:SmtpPort", 2525);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("lms-mail-catcher")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .MaxMessageSize(10 * 1024 * 1024)
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(store));
        services.Add(new Filter());
        logger.LogInformation("SMTP on 127.0.0.1:{Port}, mail kept in {Root}", port, store.Root);
        await new SmtpServer.SmtpServer(options, services).StartAsync(stoppingToken);
    }

    private sealed class Store(MailStore store) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            await store.SaveAsync(transaction.From.AsAddress(), [.. transaction.To.Select(t => t.AsAddress())], buffer.ToArray(), cancellationToken);
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!to.User.StartsWith("bounce", StringComparison.OrdinalIgnoreCase));
    }
}
