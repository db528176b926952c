using k8s.Models;

namespace LmsPlatform.DeployTests;

/// <summary>The backup and restore-test CronJobs (deploy/base/backup): they write where the cockpit reads, run the repository's script, and take every database.</summary>
public class BackupTests(DeploymentFixture fixture)
{
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void BackupsAreWrittenWhereTheCockpitReadsThem(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        var analytics = manifests.Deployment("analytics-api").Spec.Template.Spec;
        var folder = manifests.Environment(analytics.Containers.Single()).GetValueOrDefault("Operations__Backups__Path")?.Value;
        var mount = analytics.Containers.Single().VolumeMounts?.SingleOrDefault(m => m.MountPath == folder);
        problems.Check(mount is { ReadOnlyProperty: true, SubPath: "status" },
            $"analytics-api: the backups' status folder (subPath status) is not what is mounted read-only at its Operations__Backups__Path ({folder})");
        var readClaim = analytics.Volumes?.SingleOrDefault(v => v.Name == mount?.Name)?.PersistentVolumeClaim?.ClaimName;

        var script = File.ReadAllText(Path.Combine(DeployFolder.Root, "base", "backup", "lms-backup.sh"));
        foreach (var name in new[] { "lms-backup", "lms-restore-test" })
        {
            var cronJob = manifests.Objects.OfType<V1CronJob>().SingleOrDefault(c => c.Metadata.Name == name);
            if (cronJob is null) { problems.Add($"CronJob {name} is missing"); continue; }
            var pod = cronJob.Spec.JobTemplate.Spec.Template.Spec;
            var container = pod.Containers.Single();
            var backups = container.VolumeMounts.SingleOrDefault(m => m.MountPath == container.Command[^1]);
            problems.Check(pod.Volumes.SingleOrDefault(v => v.Name == backups?.Name)?.PersistentVolumeClaim?.ClaimName is { } claim && claim == readClaim,
                $"CronJob {name}: does not use the claim analytics reads ({readClaim})");
            var scriptVolume = pod.Volumes.SingleOrDefault(v => v.ConfigMap is not null)?.ConfigMap.Name;
            problems.Check(scriptVolume is not null && manifests.ConfigMap(scriptVolume).Data?.Values.SingleOrDefault() == script,
                $"CronJob {name}: does not run deploy/base/backup/lms-backup.sh as it is in the repository");
            problems.Check(pod.SecurityContext?.RunAsNonRoot == true && container.SecurityContext?.ReadOnlyRootFilesystem == true,
                $"CronJob {name}: not hardened (non-root, read-only root file system)");
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// A setting that names a folder under /var/lib/lms (the content store, the backups) is a volume mounted there: the
    /// root file system is read-only, and a folder that is not a volume is lost with the pod. (The content store's volume
    /// was once replaced by the component's /tmp, and nothing said so.)
    /// </summary>
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void EveryFolderSettingIsAMountedVolume(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var deployment in manifests.Deployments)
        {
            var pod = deployment.Spec.Template.Spec;
            var container = pod.Containers.Single();
            foreach (var variable in manifests.Environment(container).Values.Where(v => v.Value?.StartsWith("/var/lib/lms/", StringComparison.Ordinal) == true))
            {
                var mount = container.VolumeMounts?.SingleOrDefault(m => m.MountPath == variable.Value);
                problems.Check(mount is not null && pod.Volumes.Any(v => v.Name == mount.Name && v.PersistentVolumeClaim is not null),
                    $"{deployment.Metadata.Name}: {variable.Name} names {variable.Value}, where no persistent volume is mounted");
            }
        }
        problems.ThrowIfAny();
    }

    [Fact]
    public void TheScriptTakesEveryServiceDatabase()
    {
        var script = File.ReadAllText(Path.Combine(DeployFolder.Root, "base", "backup", "lms-backup.sh"));
        var line = script.Split('\n').Single(l => l.StartsWith("databases=", StringComparison.Ordinal));
        foreach (var database in LmsPlatform.Contracts.ResourceNames.Databases) Assert.Contains(database, line);
    }
}
