using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LmsPlatform.Hosting;

/// <summary>
/// A child process whose output goes to a log file. Stopping sends a signal first (SIGTERM, or SIGINT where a server
/// prefers it) and kills the whole process tree only if it has not exited in time.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    internal const int SigKill = 9;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Id => _process.Id;
    public Task<int> Exited => _exited.Task;
    public bool HasExited => _exited.Task.IsCompleted;

    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        string logPath,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? runAsUser = null,
        ProcessRegistry? registry = null)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        // setsid: each child leads its own process group, so Ctrl+C reaches only the launcher, which then stops the
        // children in order (services before the servers they use). setsid and setpriv exec in place, so the pid we
        // hold is the program itself and signals reach it.
        psi.FileName = "setsid";
        if (runAsUser is not null)
            foreach (var a in new[] { "setpriv", $"--reuid={runAsUser}", $"--regid={runAsUser}", "--init-groups", "--" })
                psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(fileName);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (key, value) in environment)
                psi.Environment[key] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        log.WriteLine($"---- {DateTimeOffset.Now:O} start: {psi.FileName} {string.Join(' ', psi.ArgumentList)}");

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(process, log);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can fire before the last output lines are read; WaitForExit drains them.
            try { process.WaitForExit(); } catch (InvalidOperationException) { }
            var code = process.ExitCode;
            child.Write($"---- {DateTimeOffset.Now:O} exited with code {code}");
            registry?.Remove(child.Id);
            child._exited.TrySetResult(code);
        };
        process.Start();
        registry?.Add(process.Id, logPath);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command to completion (for one-off steps such as initdb) and throws with its output on failure.</summary>
    public static async Task RunToCompletionAsync(
        string fileName, IEnumerable<string> arguments, string logPath, string? runAsUser, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var child = Start(fileName, arguments, logPath, environment, runAsUser: runAsUser);
        var code = await child.Exited.WaitAsync(cancellationToken);
        if (code != 0)
            throw new InvalidOperationException($"'{fileName}' exited with code {code}; see {logPath}.");
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            try { _log.WriteLine(line); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Asks the process to stop with the given signal, then kills its tree after the grace period.</summary>
    public async Task StopAsync(TimeSpan grace, bool interrupt = false)
    {
        if (HasExited) return;
        try
        {
            _ = Kill(_process.Id, interrupt ? SigInt : SigTerm);
            await _exited.Task.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            KillNow();
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills the process tree at once (SIGKILL), as a crash would.</summary>
    public void KillNow()
    {
        _ = Kill(-_process.Id, SigKill); // the whole process group (a server's helpers too)
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            KillNow();
            try { await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
