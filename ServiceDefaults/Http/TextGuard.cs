using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace LmsPlatform.ServiceDefaults.Http;

/// <summary>
/// The one place that refuses text PostgreSQL cannot store: a NUL character (<c>\u0000</c> in JSON, <c>%00</c> in a
/// query string, form field or route value) in any request to any service gets a 400 ValidationProblem naming the
/// field, before a handler runs, instead of a 500 from the database after half a request's work.
/// </summary>
public sealed class TextGuardMiddleware(RequestDelegate next)
{
    private static readonly SearchValues<char> Nul = SearchValues.Create("\0");

    public async Task InvokeAsync(HttpContext context)
    {
        var field = FindInQuery(context.Request) ?? FindInRoute(context);
        if (field is null && IsUrlEncodedForm(context.Request.ContentType))
            field = await FindInUrlEncodedFormAsync(context.Request, context.RequestAborted);
        else if (field is null && context.Request.HasFormContentType)
            field = FindInForm(await context.Request.ReadFormAsync(context.RequestAborted));
        else if (field is null && IsJson(context.Request.ContentType))
            field = await FindInJsonAsync(context.Request, context.RequestAborted);

        if (field is null)
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new ValidationProblemDetails(new Dictionary<string, string[]>
        {
            [field] = ["must not contain a NUL character (\\u0000)"],
        })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request contains a NUL character.",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        }, (JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }

    private static string? FindInQuery(HttpRequest request)
    {
        if (!request.QueryString.HasValue) return null;
        foreach (var (key, values) in request.Query)
            if (key.AsSpan().ContainsAny(Nul) || values.Any(v => v is not null && v.AsSpan().ContainsAny(Nul))) return key;
        return null;
    }

    private static string? FindInRoute(HttpContext context)
    {
        foreach (var (key, value) in context.GetRouteData().Values)
            if (value is string text && text.AsSpan().ContainsAny(Nul)) return key;
        return context.Request.Path.Value is { } path && path.AsSpan().ContainsAny(Nul) ? "path" : null;
    }

    private static string? FindInForm(IFormCollection form)
    {
        foreach (var (key, values) in form)
            if (key.AsSpan().ContainsAny(Nul) || values.Any(v => v is not null && v.AsSpan().ContainsAny(Nul))) return key;
        foreach (var file in form.Files)
            if (file.FileName.AsSpan().ContainsAny(Nul)) return file.Name;
        return null;
    }

    private static bool IsUrlEncodedForm(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// ASP.NET Core's form reader refuses a NUL itself, but without saying in which field; the body is buffered (the
    /// handler reads it again) and parsed here to name it.
    /// </summary>
    private static async Task<string?> FindInUrlEncodedFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var body = await reader.ReadToEndAsync(cancellationToken);
        request.Body.Position = 0;
        if (!body.Contains("%00", StringComparison.Ordinal) && !body.Contains('\0')) return null;
        foreach (var (key, values) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseNullableQuery(body) ?? [])
            if (key.AsSpan().ContainsAny(Nul) || values.Any(v => v is not null && v.AsSpan().ContainsAny(Nul))) return key;
        return null;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                                    || (contentType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                                        && contentType.Split(';')[0].EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// In JSON a NUL can only be written as the escape <c>\u0000</c>. The body is buffered (the handler reads it again)
    /// and scanned for the escape; only when it is there is the document walked to name the property that holds it.
    /// </summary>
    private static async Task<string?> FindInJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        request.Body.Position = 0;
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.IndexOf("\\u0000"u8) < 0) return null;
        return FieldHoldingNul(bytes) ?? "body";
    }

    private static string? FieldHoldingNul(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var path = new List<string>();
        var indexes = new List<int>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        if (property!.Contains('\0')) return Join(path, property);
                        continue;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add(Segment(path, indexes, property));
                        indexes.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        indexes.RemoveAt(indexes.Count - 1);
                        Advance(indexes);
                        break;
                    case JsonTokenType.String:
                        if (reader.GetString()!.Contains('\0')) return Join(path, Segment(path, indexes, property));
                        Advance(indexes);
                        break;
                    default:
                        Advance(indexes);
                        break;
                }
                property = null;
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the handler's own parsing reports it.
        }
        return null;
    }

    private static string Segment(List<string> path, List<int> indexes, string? property) =>
        property ?? (indexes.Count > 0 && indexes[^1] >= 0 ? $"[{indexes[^1]}]" : "");

    private static void Advance(List<int> indexes)
    {
        if (indexes.Count > 0 && indexes[^1] >= 0) indexes[^1]++;
    }

    private static string Join(List<string> path, string last)
    {
        var parts = path.Where(p => p.Length > 0).Append(last);
        return string.Concat(parts.Select((p, i) => i == 0 || p.StartsWith('[') ? p : "." + p)).TrimStart('.');
    }
}
