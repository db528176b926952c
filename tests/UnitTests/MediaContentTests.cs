using System.Text;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Model.Files;
using LmsPlatform.ContentDelivery.Model.Runtime;
using LmsPlatform.Contracts.Content;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.UnitTests;

/// <summary>
/// Uploaded documents and media: what a file is comes from its bytes (and a name that lies is refused), the scan hook
/// refuses the EICAR test file, and a learner's progress on a video counts each stretch played once and completes at
/// 90%, a document by being opened.
/// </summary>
public class MediaContentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("%PDF-1.7\n", "guide.pdf", "application/pdf", false)]
    [InlineData("\0\0\0\u0018ftypmp42", "intro.mp4", "video/mp4", true)]
    [InlineData("RIFF\u0024\0\0\0WAVEfmt ", "talk.wav", "audio/wav", true)]
    [InlineData("ID3\u0004\0\0\0\0\0\0", "talk.mp3", "audio/mpeg", true)]
    [InlineData("PK\u0003\u0004\u0014\0\u0006\0", "policy.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false)]
    public void A_file_is_what_its_bytes_say(string header, string name, string type, bool media)
    {
        var (sniffed, problem) = ContentSniffer.Sniff(Encoding.Latin1.GetBytes(header), name);
        Assert.Null(problem);
        Assert.Equal((type, media), (sniffed!.MediaType, sniffed.IsMedia));
    }

    [Theory]
    [InlineData("MZ\u0090\0\u0003\0\0\0", "setup.exe", "not a kind of file")]
    [InlineData("PK\u0003\u0004\u0014\0\u0006\0", "archive.zip", "not a kind of file")]
    [InlineData("%PDF-1.7\n", "intro.mp4", "named '.mp4' but its content is a PDF")]
    [InlineData("<html><script>", "page.pdf", "not a kind of file")]
    public void Anything_else_and_a_name_that_lies_are_refused(string header, string name, string expected)
    {
        var (sniffed, problem) = ContentSniffer.Sniff(Encoding.Latin1.GetBytes(header), name);
        Assert.Null(sniffed);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void File_names_are_kept_safe_to_store_and_serve() =>
        Assert.Equal(("evil.pdf", "a_b_.pdf", "file"), (ContentSniffer.SafeName("../../evil.pdf"), ContentSniffer.SafeName("a?b#.pdf"), ContentSniffer.SafeName("...")));

    [Fact]
    public async Task The_scan_hook_refuses_the_eicar_test_file()
    {
        var scanner = new TestSignatureScanner();
        var eicar = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
        Assert.Equal(new ScanVerdict(false, "EICAR-Test-File"), await scanner.ScanAsync(new MemoryStream(eicar), "x.pdf", TestContext.Current.CancellationToken));
        Assert.True((await scanner.ScanAsync(new MemoryStream("%PDF-1.7"u8.ToArray()), "x.pdf", TestContext.Current.CancellationToken)).Clean);
    }

    [Fact]
    public void A_video_counts_each_stretch_once_and_completes_at_ninety_percent()
    {
        var progress = MediaProgress.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), isMedia: true, Now);
        progress.Open(Now);
        Assert.Equal("incomplete", Assert.IsType<ActivityProgressRecorded>(Assert.Single(progress.TakeDomainEvents())).Completion);

        // Watched 0-30 s twice and skipped to the end: 30 of 100 seconds.
        progress.Record(95, 100, [new(0, 30), new(10, 30), new(95, 95)], Now);
        Assert.Equal((30, 30, 95.0), (progress.WatchedSeconds, progress.Percent, progress.Position));
        Assert.Empty(progress.TakeDomainEvents());

        // Another session plays 29.8-89 s (joined to what was played) and 89-120 s (clamped to the length).
        progress.Record(100, 100, [new(29.8, 89), new(89, 120)], Now.AddMinutes(5));
        Assert.Equal((100, 100), (progress.WatchedSeconds, progress.Percent));
        Assert.Equal([new WatchedSpan(0, 100)], progress.Watched);
        var done = Assert.IsType<ActivityProgressRecorded>(Assert.Single(progress.TakeDomainEvents()));
        Assert.Equal(("completed", true), (done.Completion, done.Satisfied));
        Assert.Throws<DomainRuleException>(() => progress.Record(-1, 100, [], Now));
        Assert.Throws<DomainRuleException>(() => progress.Record(1, 100, [new(5, 2)], Now));
    }

    [Fact]
    public void A_document_is_read_by_opening_it()
    {
        var progress = MediaProgress.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), isMedia: false, Now);
        progress.Open(Now);
        Assert.True(progress.Completed);
        Assert.True(Assert.IsType<ActivityProgressRecorded>(Assert.Single(progress.TakeDomainEvents())).Satisfied);
        progress.Open(Now.AddDays(1));
        Assert.Empty(progress.TakeDomainEvents());
    }

    [Fact]
    public void After_a_reset_a_video_is_watched_again_from_nothing_and_completes_again()
    {
        var enrolment = new LmsPlatform.ContentDelivery.Model.EnrolmentCopy { EnrolmentId = Guid.NewGuid() };
        var progress = MediaProgress.Start(enrolment.EnrolmentId, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), isMedia: true, Now);
        progress.Open(Now);
        progress.Record(100, 100, [new(0, 100)], Now);
        Assert.True(progress.Completed);
        progress.TakeDomainEvents();
        Assert.False(enrolment.StartedBeforeReset(progress.StartedAt)); // never reset

        enrolment.ResetAt = Now.AddDays(365);
        Assert.True(enrolment.StartedBeforeReset(progress.StartedAt));
        progress.Restart(Now.AddDays(366));
        Assert.False(enrolment.StartedBeforeReset(progress.StartedAt));
        Assert.Equal((false, 0, 0.0, 100.0), (progress.Completed, progress.Percent, progress.WatchedSeconds, progress.Duration!.Value));
        progress.Open(Now.AddDays(366));
        Assert.Equal("incomplete", Assert.IsType<ActivityProgressRecorded>(Assert.Single(progress.TakeDomainEvents())).Completion);
        progress.Record(100, 100, [new(0, 95)], Now.AddDays(366));
        Assert.True(Assert.IsType<ActivityProgressRecorded>(Assert.Single(progress.TakeDomainEvents())).Satisfied);
    }

    [Fact]
    public void A_resumable_upload_takes_its_chunks_in_order_within_its_length()
    {
        var upload = ResumableUpload.Begin("../talk.wav", null, 40, new string('a', 64), 1000, null, Now);
        Assert.Equal("talk.wav", upload.FileName);
        Assert.Equal(0, upload.CheckChunk(0, 16, Now));
        upload.Appended(16, Now);
        Assert.True(Assert.Throws<DomainRuleException>(() => upload.CheckChunk(0, 16, Now)).IsConflict); // sent twice
        Assert.Contains("byte 16", Assert.Throws<DomainRuleException>(() => upload.CheckChunk(32, 8, Now)).Message); // a gap
        Assert.Throws<DomainRuleException>(() => upload.CheckChunk(16, 25, Now)); // past the length
        Assert.Throws<DomainRuleException>(() => upload.RequireComplete(Now));
        Assert.Equal(1, upload.CheckChunk(16, 24, Now));
        upload.Appended(24, Now);
        upload.RequireComplete(Now);
        Assert.Throws<DomainRuleException>(() => upload.CheckChunk(40, 1, Now.Add(ResumableUpload.Lifetime)));
        Assert.Throws<DomainRuleException>(() => ResumableUpload.Begin("a.wav", null, 10, "not-a-hash", 1000, null, Now));
        Assert.Throws<DomainRuleException>(() => ResumableUpload.Begin("a.wav", null, 2000, new string('a', 64), 1000, null, Now));
    }

    [Theory]
    [InlineData("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", true)]
    [InlineData("sha-512=:abc=:, sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", true)]
    [InlineData("sha-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", false)]
    [InlineData("sha-256=:AAAA:", false)]
    [InlineData("", false)]
    public void A_content_digest_names_the_chunks_sha256(string header, bool read) =>
        Assert.Equal(read, LmsPlatform.ContentDelivery.Apis.ResumableUploadsApi.Digest(header) is { } d && d.SequenceEqual(System.Security.Cryptography.SHA256.HashData([])));
}
