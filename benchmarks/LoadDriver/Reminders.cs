using System.Diagnostics;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// The reminder figures: N assignments (notification's copies, written straight into its database as enrolment's events
/// would have left them) all reaching their seven-days-before reminder in the same minute. Most people are mailed; the
/// rest are the "never spam" cases, whose reminder waits in their digest: a person who takes a daily digest, a person in
/// their quiet hours, and a person whose five mails for today are already spent. Measured from the minute the reminders
/// fall due: all computed and written (the scheduler's part), and all handed to the SMTP server, which counts what it
/// received and how many Message-IDs came more than once.
/// </summary>
public static class Reminders
{
    public static async Task RunAsync(TestPlatform app, int people)
    {
        var connection = app.GetConnectionString(ResourceNames.NotificationDb);
        var courseId = Guid.NewGuid();
        // Every tenth person takes a daily digest, every tenth (the next) is in their quiet hours now, every twentieth has
        // had their five mails today; the rest are mailed.
        bool Digest(int i) => i % 10 == 0;
        bool Night(int i) => i % 10 == 1;
        bool Busy(int i) => i % 20 == 2;
        var toDigest = Enumerable.Range(1, people).Count(i => Digest(i) || Night(i) || Busy(i));
        var toMail = people - toDigest;
        var mailedBefore = (await Mailbox.StatsAsync(app)).Received;

        // The minute they fall due: far enough ahead for the seeding to finish first.
        var dueMoment = DateTimeOffset.UtcNow.AddSeconds(Math.Max(45, people / 2500.0));
        var now = DateTimeOffset.UtcNow;
        var quietFrom = TimeOnly.FromDateTime(now.AddHours(-1).UtcDateTime).ToString("HH:mm");
        var quietUntil = TimeOnly.FromDateTime(now.AddHours(2).UtcDateTime).ToString("HH:mm");
        var seeding = Stopwatch.StartNew();
        await Sql.ExecuteAsync(connection, $"""
            INSERT INTO items ("Id", "Kind", "Title", "Code") VALUES ('{courseId}', 'course', 'Fire safety', 'FIRE-1');
            INSERT INTO recipients ("UserId", "Email", "GivenName", "FamilyName", "DisplayName", "Status", "Erased", "CreatedAt",
                                    "TimeZone", "QuietFrom", "QuietUntil", "Digest")
            SELECT md5('reminder-person-' || i)::uuid, 'remind' || i || '@example.org', 'Given' || i, 'Family' || i, 'Given' || i || ' Family' || i,
                   'Active', FALSE, now(), 'UTC',
                   CASE WHEN i % 10 = 1 THEN TIME '{quietFrom}' ELSE TIME '00:00' END,
                   CASE WHEN i % 10 = 1 THEN TIME '{quietUntil}' ELSE TIME '00:00' END,
                   CASE WHEN i % 10 = 0 THEN 'Daily' END
            FROM generate_series(1, {people}) AS i;
            INSERT INTO emails ("Id", "UserId", "Type", "ToAddress", "Subject", "TextBody", "HtmlBody", "Sensitive", "Status", "Attempts",
                                "CreatedAt", "QueuedAt", "NextAttemptAt", "SentAt")
            SELECT gen_random_uuid(), md5('reminder-person-' || i)::uuid, 'enrolment-assigned', 'remind' || i || '@example.org', 'Earlier', '', '', FALSE, 'Sent', 1,
                   now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute', now() - interval '1 minute'
            FROM generate_series(1, {people}) AS i, generate_series(1, 5) AS n WHERE i % 20 = 2;
            INSERT INTO assignments ("EnrolmentId", "UserId", "CourseId", "DueAt", "Status", "Sequence", "EscalationLevel")
            SELECT md5('reminder-enrolment-' || i)::uuid, md5('reminder-person-' || i)::uuid, '{courseId}',
                   TIMESTAMPTZ '{dueMoment.AddDays(7):O}', 'Open', 1, 0
            FROM generate_series(1, {people}) AS i;
            ANALYZE recipients; ANALYZE assignments; ANALYZE emails;
            """);
        Console.WriteLine($"{people:N0} people and their assignments written in {seeding.Elapsed.TotalSeconds:0.0} s; their reminders all fall due at {dueMoment:HH:mm:ss} UTC");
        Console.WriteLine($"  expected: {toMail:N0} reminder mails; {toDigest:N0} to digests ({people / 10:N0} take a daily digest, {people / 10:N0} in quiet hours, " +
                          $"{people / 20:N0} have had their five mails today)");

        var wait = dueMoment - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var clock = Stopwatch.StartNew();
        double? computed = null, written = null;
        while (true)
        {
            var reminded = await Sql.CountAsync(connection, $"SELECT count(*) FROM assignments WHERE \"CourseId\" = '{courseId}' AND \"RemindedDaysBefore\" = 7");
            var mails = await Sql.CountAsync(connection, "SELECT count(*) FROM emails WHERE \"Type\" = 'enrolment-reminder'");
            var digests = await Sql.CountAsync(connection, "SELECT count(*) FROM digest_items WHERE \"Type\" = 'enrolment-reminder'");
            var sent = await Sql.CountAsync(connection, "SELECT count(*) FROM emails WHERE \"Type\" = 'enrolment-reminder' AND \"Status\" = 'Sent'");
            var caught = (await Mailbox.StatsAsync(app)).Received - mailedBefore;
            if (computed is null && reminded >= people) computed = clock.Elapsed.TotalSeconds;
            if (written is null && mails + digests >= people) written = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"  +{clock.Elapsed.TotalSeconds,5:0.0} s: reminded {reminded:N0}, mails written {mails:N0} (sent {sent:N0}, received by SMTP {caught:N0}), " +
                              $"to digests {digests:N0}");
            if (caught >= toMail && sent >= toMail) break;
            if (clock.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException("the reminders were not all sent in 15 minutes");
            await Task.Delay(2000);
        }
        var total = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(5)); // anything sent twice would arrive now
        var stats = await Mailbox.StatsAsync(app);
        var perPerson = await Sql.CountAsync(connection,
            "SELECT count(*) FROM (SELECT \"UserId\" FROM emails WHERE \"Type\" = 'enrolment-reminder' GROUP BY \"UserId\" HAVING count(*) > 1) x");
        var digestWrong = await Sql.CountAsync(connection, $"""
            SELECT count(*) FROM digest_items d JOIN recipients r ON r."UserId" = d."UserId" WHERE d."Type" = 'enrolment-reminder'
              AND NOT (r."Digest" = 'Daily' OR r."QuietFrom" <> r."QuietUntil"
                       OR (SELECT count(*) FROM emails e WHERE e."UserId" = r."UserId" AND e."Type" = 'enrolment-assigned') = 5)
            """);
        Console.WriteLine($"Reminders of {people:N0} people due in the same minute: the scheduler computed and wrote them all {written:0.0} s after they fell due " +
                          $"(every assignment marked at {computed:0.0} s); all {toMail:N0} mails handed to the SMTP server {total:0.0} s after they fell due " +
                          $"= {toMail / total:N0} mails/s end to end");
        Console.WriteLine($"Check: the SMTP server received {stats.Received - mailedBefore:N0} (expected {toMail:N0}), Message-IDs received more than once: {stats.RepeatedMessageIds}; " +
                          $"people with two reminder mails: {perPerson}; digest entries for someone who should have been mailed: {digestWrong}" +
                          (stats.Received - mailedBefore == toMail && stats.RepeatedMessageIds == 0 && perPerson == 0 && digestWrong == 0 ? " — exactly once" : " — NOT EXACTLY ONCE"));
    }
}
