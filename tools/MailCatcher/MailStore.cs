using System.Text.Json;
using MimeKit;

namespace LmsPlatform.MailCatcher;

/// <summary>One received mail: its envelope and the headers people look for.</summary>
public sealed record MailEntry(long Seq, string? MessageId, string From, IReadOnlyList<string> To, string Subject, DateTimeOffset ReceivedAt, int Size);

/// <summary>
/// Every received mail as a file (<c>{seq}.eml</c>) and a line of <c>index.jsonl</c> under the store's folder, so a
/// restarted catcher still holds and counts what it received before (the outage tests stop and start it).
/// </summary>
public sealed class MailStore : IDisposable
{
    private readonly string _root;
    private readonly Lock _gate = new();
    private readonly List<MailEntry> _entries = [];
    private readonly Dictionary<string, int> _perMessageId = new(StringComparer.Ordinal);
    private readonly StreamWriter _index;
    private long _seq;

    public MailStore(IConfiguration configuration)
    {
        _root = configuration["MailCatcher:Root"] is { Length: > 0 } root ? root : Path.Combine(Path.GetTempPath(), "lms-mail");
        Directory.CreateDirectory(_root);
        var indexPath = Path.Combine(_root, "index.jsonl");
        if (File.Exists(indexPath))
            foreach (var line in File.ReadLines(indexPath))
                if (line.Length > 0 && JsonSerializer.Deserialize(line, MailJson.Default.MailEntry) is { } entry) Remember(entry);
        _index = new StreamWriter(new FileStream(indexPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Root => _root;

    /// <summary>Keeps a mail the SMTP session accepted: its file first, then its index line.</summary>
    public async Task<MailEntry> SaveAsync(string from, IReadOnlyList<string> to, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        long seq;
        lock (_gate) seq = ++_seq;
        await File.WriteAllBytesAsync(Path.Combine(_root, $"{seq:D9}.eml"), data, ct);
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        var headers = HeaderList.Load(stream, ct);
        var entry = new MailEntry(seq, headers[HeaderId.MessageId]?.Trim(), from, to, headers[HeaderId.Subject] ?? "",
            DateTimeOffset.UtcNow, data.Length);
        var line = JsonSerializer.Serialize(entry, MailJson.Default.MailEntry);
        lock (_gate)
        {
            _index.WriteLine(line);
            Remember(entry);
        }
        return entry;
    }

    private void Remember(MailEntry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
            _seq = Math.Max(_seq, entry.Seq);
            if (entry.MessageId is { } id) _perMessageId[id] = _perMessageId.GetValueOrDefault(id) + 1;
        }
    }

    /// <summary>The newest mails first, to an address when given.</summary>
    public IReadOnlyList<MailEntry> Newest(string? to, int take)
    {
        lock (_gate)
        {
            IEnumerable<MailEntry> query = Enumerable.Reverse(_entries);
            if (to is { Length: > 0 }) query = query.Where(e => e.To.Any(t => t.Equals(to, StringComparison.OrdinalIgnoreCase)));
            return [.. query.Take(take)];
        }
    }

    public MailEntry? Find(long seq)
    {
        lock (_gate) return _entries.Find(e => e.Seq == seq);
    }

    /// <summary>How many mails arrived, how many distinct Message-IDs they carried, and those that arrived more than once.</summary>
    public MailStats Stats()
    {
        lock (_gate)
        {
            var repeated = _perMessageId.Where(p => p.Value > 1).Select(p => p.Key).Take(100).ToList();
            return new MailStats(_entries.Count, _perMessageId.Count, _perMessageId.Count(p => p.Value > 1), repeated);
        }
    }

    public MimeMessage Load(MailEntry entry) => MimeMessage.Load(Path.Combine(_root, $"{entry.Seq:D9}.eml"));

    public void Dispose() => _index.Dispose();
}

public sealed record MailStats(int Received, int DistinctMessageIds, int RepeatedMessageIds, IReadOnlyList<string> Repeated);

public sealed record MailView(long Seq, string? MessageId, string From, IReadOnlyList<string> To, string Subject, DateTimeOffset ReceivedAt,
    string? Text, string? Html, IReadOnlyDictionary<string, string> Headers);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(MailEntry))]
[System.Text.Json.Serialization.JsonSerializable(typeof(MailStats))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<MailView>))]
internal sealed partial class MailJson : System.Text.Json.Serialization.JsonSerializerContext;
