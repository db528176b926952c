using System.Diagnostics;

namespace LmsPlatform.AppHost.Servers;

internal static class Processes
{
    /// <summary>Runs a one-shot command (initdb, chown) to completion; fails with its output if it fails.</summary>
    public static async Task RunAsync(string command, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error}{await output}");
    }

    /// <summary>Finds an executable on PATH or at one of the given locations.</summary>
    public static string? Find(string name, params string[] candidates)
    {
        foreach (var candidate in candidates)
            if (File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
