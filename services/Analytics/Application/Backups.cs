using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Operations;

namespace LmsPlatform.Analytics.Application;

/// <summary>One database in a backup: its archive's size, and the tables and rows counted in the snapshot it was dumped from.</summary>
public sealed record BackedUpDatabase(string Name, long Bytes, long Tables, long Rows);

/// <summary>A whole backup, as its manifest (written last) describes it.</summary>
public sealed record BackupManifest(DateTimeOffset TakenAt, DateTimeOffset FinishedAt, IReadOnlyList<BackedUpDatabase> Databases)
{
    public string Name { get; init; } = "";
}

/// <summary>What a restore test found: every database restored into a scratch one and its tables and rows counted again.</summary>
public sealed record RestoreTest(string Backup, DateTimeOffset TestedAt, bool Passed, IReadOnlyList<string> Problems);

/// <summary>
/// The backups the deployment takes (<c>deploy/base/backup/lms-backup.sh</c>: <c>./lms backup</c>, or the lms-backup
/// CronJob), as the cockpit checks them (ADR 0026). They are read from the status folder the script publishes beside
/// the backups (<c>Operations:Backups:Path</c>; on Kubernetes only that folder is mounted, read-only, never the
/// archives): a <c>{backup}.manifest.json</c> per whole backup, and a <c>{time}.restore-test.json</c> per restore test.
/// A file that cannot be read is skipped, so one damaged file does not hide the rest.
/// </summary>
public static class Backups
{
    /// <summary>How old the newest backup may be: a day, and two hours for a nightly job that ran late.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(26);

    /// <summary>How recent a passed restore test must be: the monthly check's month, and a day.</summary>
    public static readonly TimeSpan RestoreTestAge = TimeSpan.FromDays(32);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The whole backups described in <paramref name="folder"/>, newest first.</summary>
    public static IReadOnlyList<BackupManifest> Read(string folder) =>
        [.. Files<BackupManifest>(folder, ".manifest.json", (m, name) => m with { Name = name }).OrderByDescending(m => m.TakenAt)];

    /// <summary>The latest restore test in <paramref name="folder"/>.</summary>
    public static RestoreTest? LatestRestoreTest(string folder) =>
        Files<RestoreTest>(folder, ".restore-test.json", (t, _) => t).MaxBy(t => t.TestedAt);

    private static IEnumerable<T> Files<T>(string folder, string suffix, Func<T, string, T> named) where T : class
    {
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.EnumerateFiles(folder, "*" + suffix))
        {
            T? read;
            try
            {
                read = JsonSerializer.Deserialize<T>(File.ReadAllText(file), Json);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (read is not null) yield return named(read, Path.GetFileName(file)[..^suffix.Length]);
        }
    }

    /// <summary>Is the newest backup recent, and does it hold every service's database? The count is the databases without one.</summary>
    public static CheckFinding Freshness(string? folder, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(folder))
            return new(ResourceNames.Databases.Count, CheckStatus.Attention,
                "No backup folder is configured (Operations:Backups:Path), so backups cannot be checked.");
        var newest = Read(folder).FirstOrDefault();
        if (newest is null)
            return new(ResourceNames.Databases.Count, CheckStatus.Failing, $"No backup in {folder}: take one with ./lms backup (or the lms-backup CronJob).");
        var age = now - newest.FinishedAt;
        var missing = ResourceNames.Databases.Except(newest.Databases.Select(d => d.Name)).ToList();
        var about = $"Newest backup {newest.Name}, finished {Ago(age)}: {newest.Databases.Count} databases, " +
            $"{newest.Databases.Sum(d => d.Rows):N0} rows, {newest.Databases.Sum(d => d.Bytes) / 1048576.0:N1} MB.";
        if (age > MaxAge)
            return new(ResourceNames.Databases.Count, CheckStatus.Failing, $"{about} Backups should be at most {MaxAge.TotalHours:N0} hours old.");
        return missing.Count == 0
            ? new(0, CheckStatus.Ok, about)
            : new(missing.Count, CheckStatus.Failing, $"{about} It lacks {string.Join(", ", missing)}.");
    }

    /// <summary>Has a backup been restored and checked this month, and did it come back whole? The count is its problems.</summary>
    public static CheckFinding RestoreTested(string? folder, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(folder))
            return new(1, CheckStatus.Attention, "No backup folder is configured (Operations:Backups:Path), so restore tests cannot be checked.");
        var latest = LatestRestoreTest(folder);
        if (latest is null || now - latest.TestedAt > RestoreTestAge)
            return new(1, CheckStatus.Attention,
                (latest is null ? "No backup has been restore-tested." : $"The last restore test was {Ago(now - latest.TestedAt)}.") +
                " Run ./lms restore-test (or the lms-restore-test Job) once a month.");
        return latest.Passed
            ? new(0, CheckStatus.Ok, $"Backup {latest.Backup} restored {Ago(now - latest.TestedAt)}: every table and row came back.")
            : new(Math.Max(1, latest.Problems.Count), CheckStatus.Failing, $"Backup {latest.Backup} did not restore whole: {string.Join("; ", latest.Problems)}");
    }

    private static string Ago(TimeSpan age) =>
        age < TimeSpan.FromHours(1) ? $"{Math.Max(0, (int)age.TotalMinutes)} min ago" : age < TimeSpan.FromDays(2) ? $"{(int)age.TotalHours} h ago" : $"{(int)age.TotalDays} days ago";
}
