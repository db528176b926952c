using System.Data.Common;
using MailKit.Security;

namespace LmsPlatform.Notification.Delivery;

/// <summary>
/// The relay mail is handed to: <c>ConnectionStrings:mail</c> (<c>Endpoint=smtp://host:587;Username=...;Password=...;Security=StartTls</c>;
/// <c>smtps://</c> for TLS from the first byte) and the section <c>Notification:Mail</c> for the rest.
/// </summary>
public sealed class MailOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>The sender: <c>Learning &lt;learning@example.com&gt;</c>.</summary>
    public string From { get; set; } = "Learning <learning@lms.local>";
    /// <summary>How many connections to the relay each replica sends over at once.</summary>
    public int Connections { get; set; } = 4;
    /// <summary>How many mails a sender takes from the queue at a time.</summary>
    public int BatchSize { get; set; } = 100;
    /// <summary>
    /// How long a sender holds the mails it took; after a crash, another sender takes them when it ends. A sender begins
    /// a mail only while the lease outlasts <see cref="Timeout"/>, so it must be longer.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How long the relay may take to answer one command.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>DKIM signing: the domain, the selector and the PEM private key's file (all three, or none).</summary>
    public string? DkimDomain { get; set; }
    public string? DkimSelector { get; set; }
    public string? DkimPrivateKeyFile { get; set; }

    public bool Configured { get; private set; }

    /// <summary>Refuses settings under which no mail could be sent, at start-up rather than silently.</summary>
    public void Validate()
    {
        if (Lease <= Timeout)
            throw new InvalidOperationException($"Notification:Mail:Lease ({Lease}) must be longer than Notification:Mail:Timeout ({Timeout}): a sender begins a mail only while its lease outlasts the relay's timeout.");
    }

    /// <summary>Reads the connection string's parts into the options.</summary>
    public void ApplyConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return;
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("Endpoint", out var endpoint) && Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var uri))
        {
            Host = uri.Host;
            Port = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "smtps" ? 465 : 25) : uri.Port;
            if (uri.Scheme == "smtps") Security = SecureSocketOptions.SslOnConnect;
            Configured = true;
        }
        if (parts.TryGetValue("Username", out var user)) Username = user?.ToString();
        if (parts.TryGetValue("Password", out var password)) Password = password?.ToString();
        if (parts.TryGetValue("Security", out var security) && Enum.TryParse<SecureSocketOptions>(security?.ToString(), true, out var parsed)) Security = parsed;
    }
}
