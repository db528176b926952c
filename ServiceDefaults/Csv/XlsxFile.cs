using MiniExcelLibs;
using Microsoft.AspNetCore.Http;

namespace LmsPlatform.ServiceDefaults.Csv;

/// <summary>
/// Downloads as Excel workbooks (one sheet, a header from <typeparamref name="T"/>'s properties), written by MiniExcel.
/// MiniExcel writes the sheet as the rows come and finishes the file with synchronous writes, which Kestrel refuses;
/// so the workbook is written to a temporary file, a row at a time (memory stays flat whatever the size), then sent from
/// it asynchronously and deleted. Cells are written as text or numbers, never formulas, so a cell that begins with "="
/// shows as typed.
/// </summary>
public static class XlsxFile
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static async Task WriteAsync<T>(HttpResponse response, string fileName, string sheetName, IAsyncEnumerable<T> records, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lms-export-{Guid.NewGuid():N}.xlsx");
        try
        {
            await SaveAsync(path, sheetName, records, ct);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            response.ContentType = ContentType;
            response.ContentLength = file.Length;
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await file.CopyToAsync(response.Body, ct);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The records as a workbook at <paramref name="path"/>, a row at a time (a download's, or a prepared export's file).</summary>
    public static Task SaveAsync<T>(string path, string sheetName, IAsyncEnumerable<T> records, CancellationToken ct) =>
        // The rows are read on a pool thread, one at a time, as MiniExcel asks for them.
        Task.Run(() => MiniExcel.SaveAs(path, records.ToBlockingEnumerable(ct), sheetName: sheetName), ct);
}
