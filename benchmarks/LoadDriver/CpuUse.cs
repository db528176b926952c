using LmsPlatform.Testing;

/// <summary>
/// CPU time per resource of the platform (the resource's process and all its descendants: PostgreSQL's backends,
/// RabbitMQ's Erlang helpers), read from /proc, so a scenario can say which process its time went to.
/// </summary>
public sealed class CpuUse(TestPlatform app, IReadOnlyList<string> resources)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private Dictionary<string, double> _last = [];
    private DateTime _lastAt = DateTime.UtcNow;

    public string Sample()
    {
        var now = DateTime.UtcNow;
        var tree = ProcessTree();
        var current = new Dictionary<string, double>();
        foreach (var resource in resources)
        {
            int pid;
            try { pid = app.ProcessId(resource); } catch (InvalidOperationException) { continue; }
            current[resource] = Descendants(pid, tree).Sum(CpuSeconds);
        }
        var seconds = (now - _lastAt).TotalSeconds;
        var line = string.Join(", ", current.Where(c => _last.ContainsKey(c.Key))
            .Select(c => (c.Key, Percent: (c.Value - _last[c.Key]) / seconds * 100))
            .OrderByDescending(c => c.Percent).Where(c => c.Percent >= 1).Select(c => $"{c.Key} {c.Percent:0}%"));
        _last = current;
        _lastAt = now;
        return line;
    }

    private static Dictionary<int, List<int>> ProcessTree()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            var fields = StatFields(pid);
            if (fields is null) continue;
            var parent = int.Parse(fields[1]);
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        return children;
    }

    private static IEnumerable<int> Descendants(int pid, Dictionary<int, List<int>> tree)
    {
        yield return pid;
        foreach (var child in tree.GetValueOrDefault(pid, []))
            foreach (var d in Descendants(child, tree)) yield return d;
    }

    private static double CpuSeconds(int pid) =>
        StatFields(pid) is { } f ? (double.Parse(f[11]) + double.Parse(f[12])) / TicksPerSecond : 0;

    /// <summary>The fields of /proc/pid/stat after the command name (state is [0], ppid [1], utime [11], stime [12]).</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
