using System.Text;
using LmsPlatform.ServiceDefaults.Csv;

namespace LmsPlatform.UnitTests;

/// <summary>The row-level report every import serves: its columns, quoting, and no formula a spreadsheet would run.</summary>
public class CsvReportTests
{
    [Fact]
    public void The_report_has_its_header_quotes_what_needs_it_and_escapes_formulas()
    {
        var text = Encoding.UTF8.GetString(CsvFile.Report(
        [
            new RowError(3, "email", "is not a valid email address"),
            new RowError(4, "course", "no such course: A, B"),
            new RowError(5, null, "=HYPERLINK(\"http://evil\")"),
        ]));
        var lines = text.TrimEnd().Split("\r\n");
        Assert.Equal("row,column,reason", lines[0]);
        Assert.Equal("3,email,is not a valid email address", lines[1]);
        Assert.Equal("4,course,\"no such course: A, B\"", lines[2]);
        Assert.StartsWith("5,,", lines[3]);
        Assert.DoesNotContain(",=", lines[3]);
        Assert.DoesNotContain(",\"=", lines[3]);
        Assert.Contains("'=HYPERLINK", lines[3]);
    }
}
