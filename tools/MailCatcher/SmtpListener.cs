using System.Buffers;
using System.Net;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Mail;
using SmtpServer.Net;
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
        services.Add(new Store(store, logger));
        services.Add(new Filter());
        services.Add(new NoDelayListeners());
        logger.LogInformation("SMTP on 127.0.0.1:{Port}, mail kept in {Root}", port, store.Root);
        await new SmtpServer.SmtpServer(options, services).StartAsync(stoppingToken);
    }

    /// <summary>Keeps a mail; if it cannot, answers as a relay does when its own storage fails: 451, try again later.</summary>
    private sealed class Store(MailStore store, ILogger logger) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            try
            {
                await store.SaveAsync(transaction.From.AsAddress(), [.. transaction.To.Select(t => t.AsAddress())], buffer.ToArray(), cancellationToken);
                return SmtpResponse.Ok;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Keeping a mail failed; the sender is told to try again");
                return new SmtpResponse((SmtpReplyCode)451, "Local error in processing, try again later");
            }
        }
    }

    /// <summary>
    /// Listeners whose connections answer at once (no Nagle), as a real relay's do: a client that pipelines its
    /// commands gets each reply written separately, and Nagle would hold the second until the client's delayed ACK,
    /// 40 ms a mail. Accepted connections inherit the listening socket's option.
    /// </summary>
    private sealed class NoDelayListeners : IEndpointListenerFactory
    {
        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) => new Listener(endpointDefinition.Endpoint);
    }

    private sealed class Listener : IEndpointListener
    {
        private readonly TcpListener _listener;

        public Listener(IPEndPoint endpoint)
        {
            _listener = new TcpListener(endpoint);
            _listener.Start();
        }

        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var socket = await _listener.AcceptSocketAsync(cancellationToken);
            socket.NoDelay = true;
            return new PlainPipe(new NetworkStream(socket, ownsSocket: true));
        }

        public void Dispose() => _listener.Stop();
    }

    /// <summary>A plain connection (the catcher offers no STARTTLS).</summary>
    private sealed class PlainPipe(NetworkStream stream) : ISecurableDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(stream);
        public PipeWriter Output { get; } = PipeWriter.Create(stream);
        public bool IsSecure => false;
        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken) =>
            throw new NotSupportedException("The mail catcher does not offer TLS.");

        public void Dispose() => stream.Dispose();
    }

    private sealed class Filter : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!to.User.StartsWith("bounce", StringComparison.OrdinalIgnoreCase));
    }
}
