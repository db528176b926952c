using System.Text;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>A scanner's answer: clean, or what it found.</summary>
public sealed record ScanVerdict(bool Clean, string? Finding)
{
    public static readonly ScanVerdict Passed = new(true, null);
}

/// <summary>
/// The virus-scan hook every upload passes through before anything is stored (files and packages' zips alike): an
/// infected file is refused with what was found, and nothing is kept. Register another implementation (an antivirus
/// daemon's client) to scan for real.
/// </summary>
public interface IUploadScanner
{
    Task<ScanVerdict> ScanAsync(Stream content, string fileName, CancellationToken ct);
}

/// <summary>
/// The built-in scanner: it knows one signature, the EICAR anti-virus test file, so an operator can check that the hook
/// refuses what a scanner reports (upload the EICAR string) before plugging in a real one.
/// </summary>
public sealed class TestSignatureScanner : IUploadScanner
{
    private static readonly byte[] Eicar = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    public async Task<ScanVerdict> ScanAsync(Stream content, string fileName, CancellationToken ct)
    {
        // The test file is at most 128 bytes and starts with the signature; reading more would find nothing else.
        var head = new byte[128];
        var read = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        return head.AsSpan(0, read).IndexOf(Eicar) >= 0 ? new ScanVerdict(false, "EICAR-Test-File") : ScanVerdict.Passed;
    }
}
