namespace LmsPlatform.Portal.Services;

/// <summary>
/// The signed-in person's unread count, shared by the header's inbox link and the inbox for one request. The header
/// reads it before a page handles its form, so when the inbox marks messages read it asks again, and the header shows
/// the new count in the same response.
/// </summary>
public sealed class InboxCount(GatewayApi api)
{
    public int Unread { get; private set; }

    public event Action? Changed;

    /// <summary>Reads the count. It is a courtesy: if notification is away the link still leads to the inbox.</summary>
    public async Task RefreshAsync()
    {
        if (await api.GetAsync<UnreadCount>("api/notification/inbox/unread") is { Value: { } count }) Unread = count.Unread;
        Changed?.Invoke();
    }
}
