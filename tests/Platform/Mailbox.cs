using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.Testing;

/// <summary>A mail as the platform's mail catcher received it over SMTP.</summary>
public sealed record CaughtMail(long Seq, string? MessageId, string From, string[] To, string Subject, DateTimeOffset ReceivedAt, string? Text, string? Html,
    Dictionary<string, string> Headers);

public sealed record MailStats(int Received, int DistinctMessageIds, int RepeatedMessageIds, string[] Repeated);

/// <summary>What the mail catcher (the platform's SMTP server in tests) received: the mails to an address, and counts.</summary>
public static class Mailbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IReadOnlyList<CaughtMail>> ToAsync(TestPlatform platform, string address, int take = 50)
    {
        using var client = platform.CreateHttpClient(ResourceNames.Mail);
        return await client.GetFromJsonAsync<List<CaughtMail>>($"/api/messages?to={Uri.EscapeDataString(address)}&take={take}", Json) ?? [];
    }

    /// <summary>Waits until <paramref name="address"/> has received at least <paramref name="count"/> mails matching <paramref name="match"/>.</summary>
    public static async Task<IReadOnlyList<CaughtMail>> WaitForAsync(TestPlatform platform, string address, Func<CaughtMail, bool>? match = null,
        int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        IReadOnlyList<CaughtMail> found = [];
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                found = [.. (await ToAsync(platform, address)).Where(m => match?.Invoke(m) ?? true)];
                if (found.Count >= count) return found;
            }
            catch (HttpRequestException) { } // the catcher restarting
            await Task.Delay(200);
        }
        throw new TimeoutException($"{address} received {found.Count} of {count} mails expected: {string.Join("; ", found.Select(m => m.Subject))}");
    }

    public static async Task<MailStats> StatsAsync(TestPlatform platform)
    {
        using var client = platform.CreateHttpClient(ResourceNames.Mail);
        return (await client.GetFromJsonAsync<MailStats>("/api/stats", Json))!;
    }
}
