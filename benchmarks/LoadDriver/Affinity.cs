using System.Diagnostics;

/// <summary>CPU affinity of a process and all its threads (util-linux <c>taskset -a</c>), for measurements that give a process cores of its own.</summary>
public static class Affinity
{
    public static async Task PinAsync(int pid, string cpus)
    {
        using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-c", "-p", cpus, pid.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await taskset.StandardOutput.ReadToEndAsync();
        var error = await taskset.StandardError.ReadToEndAsync();
        await taskset.WaitForExitAsync();
        if (taskset.ExitCode != 0) throw new InvalidOperationException($"taskset -a -c -p {cpus} {pid} failed: {error}");
    }
}
