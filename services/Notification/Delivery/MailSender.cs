using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using LmsPlatform.Notification.Model;
using MimeKit;
using MimeKit.Cryptography;

namespace LmsPlatform.Notification.Delivery;

/// <summary>What became of one attempt at handing a mail to the relay.</summary>
public enum SendOutcome { Sent, Refused, Unavailable }

/// <summary>
/// One connection to the relay (MailKit), opened when first needed and kept for the mails that follow. Mails go as
/// plain text and HTML, with the headers mailbox providers look for: a stable Message-ID, List-Unsubscribe with
/// one-click (RFC 8058) for the types a person may turn off, Auto-Submitted, and a DKIM signature when configured.
/// </summary>
public sealed class MailSender(MailOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly SmtpClient _client = new() { Timeout = (int)options.Timeout.TotalMilliseconds };
    private readonly MailboxAddress _from = MailboxAddress.Parse(options.From);
    private readonly DkimSigner? _dkim = Dkim(options);

    /// <summary>Hands one mail over: Sent, Refused for good (5xx, with the relay's words), or Unavailable (try later).</summary>
    public async Task<(SendOutcome Outcome, string? Error)> SendAsync(EmailMessage email, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            // A kept connection the relay closed while it was idle fails once on its next use: that is not the
            // mail's failure, so it gets one more try on a new connection before it counts as an attempt.
            var reused = _client.IsConnected && attempt == 0;
            try
            {
                await ConnectAsync(ct);
                await _client.SendAsync(Build(email), ct);
                return (SendOutcome.Sent, null);
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode == 421 && reused)
            {
                await DropAsync();
            }
            catch (SmtpCommandException ex)
            {
                // A refusal of this mail (its recipient, its size): 5xx is final, 4xx may pass. The connection stays usable.
                var text = $"{(int)ex.StatusCode} {ex.Message}";
                return ((int)ex.StatusCode >= 500 ? SendOutcome.Refused : SendOutcome.Unavailable, text);
            }
            catch (Exception ex) when (ex is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or ServiceNotConnectedException
                                           or ServiceNotAuthenticatedException or AuthenticationException or SslHandshakeException or TimeoutException
                                           or OperationCanceledException && !ct.IsCancellationRequested)
            {
                await DropAsync();
                if (!reused) return (SendOutcome.Unavailable, ex.Message);
            }
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        if (_client.IsConnected) return;
        // Without Nagle: an SMTP exchange is small writes each waiting for a reply, and Nagle holding the last write
        // until the relay's delayed ACK costs 40 ms a mail (25 mails/s a connection instead of hundreds).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Bounded as MailKit bounds its own connect: a relay that drops the SYN must not hold the sender past its lease.
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connecting.CancelAfter(options.Timeout);
                await socket.ConnectAsync(options.Host, options.Port, connecting.Token);
            }
            await _client.ConnectAsync(socket, options.Host, options.Port, options.Security, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (options.Username is { Length: > 0 } user) await _client.AuthenticateAsync(user, options.Password ?? "", ct);
        logger.LogInformation("Connected to the mail relay {Host}:{Port}", options.Host, options.Port);
    }

    private async Task DropAsync()
    {
        try { if (_client.IsConnected) await _client.DisconnectAsync(false); }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or System.Net.Sockets.SocketException) { }
    }

    public MimeMessage Build(EmailMessage email)
    {
        var message = new MimeMessage { Subject = email.Subject, MessageId = email.MessageId, Date = email.CreatedAt };
        message.From.Add(_from);
        message.To.Add(MailboxAddress.Parse(email.ToAddress));
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        if (email.Type is { } type) message.Headers.Add("X-LMS-Notification-Type", type);
        if (email.UnsubscribeUrl is { } unsubscribe)
        {
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        message.Body = new BodyBuilder { TextBody = email.TextBody, HtmlBody = email.HtmlBody }.ToMessageBody();
        _dkim?.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.ListUnsubscribe]);
        return message;
    }

    private static DkimSigner? Dkim(MailOptions options) =>
        options is { DkimDomain: { Length: > 0 } domain, DkimSelector: { Length: > 0 } selector, DkimPrivateKeyFile: { Length: > 0 } key }
            ? new DkimSigner(key, domain, selector) { HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed, BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed }
            : null;

    public async ValueTask DisposeAsync()
    {
        await DropAsync();
        _client.Dispose();
    }
}
