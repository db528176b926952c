using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http;

namespace LmsPlatform.ServiceDefaults.Csv;

/// <summary>A refused row or cell: row 1 is the first data row after the header.</summary>
public sealed record RowError(int Row, string? Column, string Reason);

/// <summary>One data row, its cells by canonical column name.</summary>
public sealed record CsvRow(int Row, IReadOnlyDictionary<string, string> Cells)
{
    public string? this[string column] => Cells.TryGetValue(column, out var v) && v.Trim() is { Length: > 0 } t ? t : null;
}

/// <summary>The rows of an uploaded CSV, or why the file as a whole cannot be read.</summary>
public sealed record CsvContent(IReadOnlyList<CsvRow> Rows, IReadOnlyList<RowError> Errors, string? FileError);

/// <summary>
/// Reads HR CSV files: UTF-8 (with or without BOM) or UTF-16 with a BOM, comma or semicolon separated, header names
/// matched loosely ("Employee Number", "employee_number" and "employeeNumber" are the same column). A file that is not
/// valid text in those encodings is refused as a whole, with the byte offset, rather than imported with mangled names.
/// </summary>
public static class CsvFile
{
    public static string CanonicalHeader(string header) =>
        new string(header.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();

    public static CsvContent Read(byte[] content, IReadOnlyDictionary<string, string> aliases, IReadOnlyCollection<string> required)
    {
        string text;
        try
        {
            text = Decode(content);
        }
        catch (DecoderFallbackException ex)
        {
            return new CsvContent([], [], $"The file is not UTF-8 text (invalid byte at offset {ex.Index}). Save it as \"CSV UTF-8\" and upload it again.");
        }
        var firstLine = text.AsSpan(0, Math.Min(text.Length, 4096));
        var delimiter = firstLine.Count(';') > firstLine.Count(',') ? ";" : ",";
        var errors = new List<RowError>();
        var rows = new List<CsvRow>();
        var badRows = new HashSet<int>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter,
            DetectColumnCountChanges = false,
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        var dataRow = 0;
        config = config with
        {
            BadDataFound = args =>
            {
                if (badRows.Add(dataRow)) errors.Add(new RowError(dataRow, null, $"malformed CSV (a quote is not closed or escaped): {Shorten(args.RawRecord)}"));
            },
        };
        using var csv = new CsvReader(new StringReader(text), config);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
            return new CsvContent([], [], "The file is empty: it needs a header row and data rows.");
        var columns = header.Select(h => aliases.GetValueOrDefault(CanonicalHeader(h))).ToArray();
        var missing = required.Where(r => !columns.Contains(r)).ToList();
        if (missing.Count > 0)
            return new CsvContent([], [], $"Required column(s) missing from the header: {string.Join(", ", missing)}. Found: {string.Join(", ", header)}.");
        var duplicateColumns = columns.Where(c => c is not null).GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicateColumns.Count > 0)
            return new CsvContent([], [], $"Column(s) appear twice in the header: {string.Join(", ", duplicateColumns)}.");

        while (true)
        {
            dataRow++;
            bool more;
            try { more = csv.Read(); }
            catch (CsvHelperException ex)
            {
                errors.Add(new RowError(dataRow, null, "unreadable row: " + ex.Message.Split('\n')[0]));
                break;
            }
            if (!more) break;
            if (badRows.Contains(dataRow)) continue;
            var count = csv.Parser.Count;
            if (count == 1 && string.IsNullOrWhiteSpace(csv.Parser[0])) { dataRow--; continue; } // blank line
            if (count != header.Length)
            {
                errors.Add(new RowError(dataRow, null, $"has {count} cells; the header has {header.Length}"));
                continue;
            }
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Length; i++)
                if (columns[i] is { } name) cells[name] = csv.Parser[i] ?? "";
            rows.Add(new CsvRow(dataRow, cells));
        }
        return new CsvContent(rows, errors, null);
    }

    /// <summary>
    /// An import's row-level report as CSV (row, column, reason), UTF-8. A cell that starts like a formula is escaped, so
    /// a spreadsheet opening the report shows the file's value instead of running it.
    /// </summary>
    public static byte[] Report(IEnumerable<RowError> errors)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false)))
        using (var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape }))
        {
            csv.WriteField("row"); csv.WriteField("column"); csv.WriteField("reason");
            csv.NextRecord();
            foreach (var e in errors)
            {
                csv.WriteField(e.Row); csv.WriteField(e.Column ?? ""); csv.WriteField(e.Reason);
                csv.NextRecord();
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Streams records to the response as a CSV download (UTF-8, a header from <typeparamref name="T"/>'s properties),
    /// one record at a time as they come from the database: an export of any size holds one row in memory. Cells that
    /// start like a formula are escaped, as in <see cref="Report"/>. A failure part-way aborts the response, so a
    /// download never ends as a file that looks complete.
    /// </summary>
    public static async Task WriteAsync<T>(HttpResponse response, string fileName, IAsyncEnumerable<T> records, CancellationToken ct)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await WriteAsync(response.Body, records, ct);
    }

    /// <summary>The records as CSV into <paramref name="stream"/> (a download, or a prepared export's file), a record at a time.</summary>
    public static async Task WriteAsync<T>(Stream stream, IAsyncEnumerable<T> records, CancellationToken ct)
    {
        // With a byte-order mark: Excel reads a CSV without one in the machine's code page, and garbles "Zoë".
        await using var writer = new StreamWriter(stream, new UTF8Encoding(true), leaveOpen: true);
        await using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape });
        csv.WriteHeader<T>();
        await csv.NextRecordAsync();
        await foreach (var record in records.WithCancellation(ct))
        {
            csv.WriteRecord(record);
            await csv.NextRecordAsync();
        }
    }

    private static string Decode(byte[] content)
    {
        if (content.Length >= 2 && content[0] == 0xFF && content[1] == 0xFE) return new UnicodeEncoding(false, true, true).GetString(content, 2, content.Length - 2);
        if (content.Length >= 2 && content[0] == 0xFE && content[1] == 0xFF) return new UnicodeEncoding(true, true, true).GetString(content, 2, content.Length - 2);
        var offset = content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content, offset, content.Length - offset);
    }

    private static string Shorten(string raw) => raw.Length > 80 ? raw[..80].TrimEnd() + "…" : raw.TrimEnd();
}
