using System.Net;
using System.Text;
using MimeKit;

namespace LmsPlatform.MailCatcher;

/// <summary>The page a newcomer reads the platform's mail on, and the API the tests count it with.</summary>
public static class MailPages
{
    public static void MapMailPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (MailStore store, string? to) => Html("Mail sent by the platform", List(store.Newest(to, 200), to)));
        app.MapGet("/messages/{seq:long}", (MailStore store, long seq) =>
            store.Find(seq) is { } entry ? Html(entry.Subject, Message(View(store, entry))) : Results.NotFound());
        app.MapGet("/api/messages", (MailStore store, string? to, int? take, bool? bodies) =>
            Results.Json(store.Newest(to, Math.Clamp(take ?? 50, 1, 10_000)).Select(e => bodies == false ? Envelope(e) : View(store, e)).ToList(), MailJson.Default.ListMailView));
        app.MapGet("/api/stats", (MailStore store) => Results.Json(store.Stats(), MailJson.Default.MailStats));
    }

    private static MailView View(MailStore store, MailEntry entry)
    {
        var message = store.Load(entry);
        var headers = message.Headers.GroupBy(h => h.Field, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join("\n", g.Select(h => h.Value)), StringComparer.OrdinalIgnoreCase);
        return new MailView(entry.Seq, entry.MessageId, entry.From, entry.To, entry.Subject, entry.ReceivedAt, message.TextBody, message.HtmlBody, headers);
    }

    private static MailView Envelope(MailEntry e) => new(e.Seq, e.MessageId, e.From, e.To, e.Subject, e.ReceivedAt, null, null, new Dictionary<string, string>());

    private static IResult Html(string title, string body) => Results.Content($$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · LmsPlatform mail</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; color: #1b1b1b; }
          table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ccc; vertical-align: top; }
          a { color: #0b4f9c; } pre { white-space: pre-wrap; background: #f4f4f4; padding: .8rem; }
          iframe { width: 100%; min-height: 24rem; border: 1px solid #ccc; } .muted { color: #555; }
          form { margin: 1rem 0; } input { font: inherit; padding: .3rem; } button { font: inherit; padding: .3rem .8rem; }
          .scroll { overflow-x: auto; }
        </style></head>
        <body><main>{{body}}</main></body></html>
        """, "text/html; charset=utf-8");

    private static string List(IReadOnlyList<MailEntry> entries, string? to)
    {
        var html = new StringBuilder();
        html.Append("<h1>Mail sent by the platform</h1>");
        html.Append("<p class=\"muted\">Every mail the platform sends in this run arrives here instead of anyone's inbox. Newest first, at most 200.</p>");
        html.Append($"<form method=\"get\"><label for=\"to\">To</label> <input id=\"to\" name=\"to\" type=\"email\" value=\"{E(to ?? "")}\"> <button type=\"submit\">Filter</button></form>");
        if (entries.Count == 0) return html.Append("<p>No mail yet.</p>").ToString();
        html.Append("<div class=\"scroll\"><table><caption class=\"muted\">Received mail</caption><thead><tr><th scope=\"col\">Received (UTC)</th><th scope=\"col\">To</th><th scope=\"col\">Subject</th></tr></thead><tbody>");
        foreach (var e in entries)
            html.Append($"<tr><td>{e.ReceivedAt:yyyy-MM-dd HH:mm:ss}</td><td>{E(string.Join(", ", e.To))}</td><td><a href=\"messages/{e.Seq}\">{E(e.Subject)}</a></td></tr>");
        return html.Append("</tbody></table></div>").ToString();
    }

    private static string Message(MailView m)
    {
        var html = new StringBuilder();
        html.Append($"<p><a href=\"../\">All mail</a></p><h1>{E(m.Subject)}</h1><dl>");
        foreach (var name in new[] { "From", "To", "Date", "Message-ID", "List-Unsubscribe" })
            if (m.Headers.TryGetValue(name, out var value)) html.Append($"<dt>{name}</dt><dd>{E(value)}</dd>");
        html.Append("</dl>");
        if (m.Html is { } body) html.Append($"<h2>HTML</h2><iframe title=\"The mail's HTML part\" sandbox srcdoc=\"{E(body)}\"></iframe>");
        if (m.Text is { } text) html.Append($"<h2>Plain text</h2><pre>{E(text)}</pre>");
        return html.ToString();
    }

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
