namespace LmsPlatform.Hosting;

/// <summary>
/// Remembers the process groups a launcher started, in <c>{data}/pids</c>. If a launcher is killed outright (SIGKILL,
/// a closed terminal) its children survive it; the next launcher on the same data folder ends them before it starts,
/// so a run never leaves processes behind for long and never collides with a previous run's servers.
/// </summary>
internal sealed class ProcessRegistry
{
    private readonly object Gate = new();
    private readonly string _file;
    private readonly Dictionary<int, string> Running = [];

    /// <summary>Ends what a previous launcher on <paramref name="dataDirectory"/> left running, then starts recording.</summary>
    public ProcessRegistry(string dataDirectory)
    {
        lock (Gate)
        {
            _file = Path.Combine(dataDirectory, "pids");
            if (File.Exists(_file))
            {
                foreach (var line in File.ReadAllLines(_file))
                {
                    var parts = line.Split(' ', 2);
                    if (parts.Length == 2 && int.TryParse(parts[0], out var pid) && IsAlive(pid, parts[1]))
                        _ = ChildProcess.Kill(-pid, ChildProcess.SigKill);
                }
            }
            Save();
        }
    }

    public void Add(int pid, string tag)
    {
        lock (Gate)
        {
            Running[pid] = StartTime(pid) ?? tag;
            Save();
        }
    }

    public void Remove(int pid)
    {
        lock (Gate)
        {
            if (Running.Remove(pid)) Save();
        }
    }

    // A pid is the same process only if its start time (field 22 of /proc/pid/stat) is the one recorded.
    private static bool IsAlive(int pid, string startTime) => StartTime(pid) == startTime;

    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Save()
    {
        File.WriteAllLines(_file, Running.Select(p => $"{p.Key} {p.Value}"));
    }
}
