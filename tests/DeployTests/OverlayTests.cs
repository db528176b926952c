using k8s.Models;

namespace LmsPlatform.DeployTests;

/// <summary>What each overlay is for, on top of what every kustomization must be.</summary>
public class OverlayTests(DeploymentFixture fixture)
{
    [Fact]
    public void DevRunsOneSmallReplicaOfTheDevImages()
    {
        var dev = fixture.Render(DeployFolder.Dev);
        var baseline = fixture.Render(DeployFolder.Base);
        var problems = new Problems(DeployFolder.Dev);
        foreach (var hpa in dev.Autoscalers)
            problems.Check(hpa.Spec is { MinReplicas: 1, MaxReplicas: 1 }, $"HPA {hpa.Metadata.Name}: {hpa.Spec.MinReplicas}..{hpa.Spec.MaxReplicas}, not 1");
        foreach (var scaledObject in dev.ScaledObjects)
            problems.Check(scaledObject.Spec is { MinReplicaCount: 1, MaxReplicaCount: 1 }, $"ScaledObject {scaledObject.Metadata.Name}: not 1 replica");
        foreach (var deployment in dev.Deployments)
        {
            var container = deployment.Spec.Template.Spec.Containers.Single();
            var baseContainer = baseline.Deployment(deployment.Metadata.Name).Spec.Template.Spec.Containers.Single();
            problems.Check(Kube.Image(container.Image).Tag == "dev", $"{deployment.Metadata.Name}: image {container.Image}, not the dev tag");
            problems.Check(Kube.Memory(container.Resources, "requests") < Kube.Memory(baseContainer.Resources, "requests")
                           && Kube.Cpu(container.Resources, "requests") < Kube.Cpu(baseContainer.Resources, "requests"),
                $"{deployment.Metadata.Name}: requests no smaller than the base's");
        }
        problems.ThrowIfAny();
    }

    [Fact]
    public void ProductionRunsAtLeastTwoReplicasOnePodDownAtATime()
    {
        var production = fixture.Render(DeployFolder.Production);
        var baseline = fixture.Render(DeployFolder.Base);
        var problems = new Problems(DeployFolder.Production);
        foreach (var hpa in production.Autoscalers)
            problems.Check(hpa.Spec.MinReplicas >= 2, $"HPA {hpa.Metadata.Name}: at least {hpa.Spec.MinReplicas} replica(s)");
        foreach (var scaledObject in production.ScaledObjects)
            problems.Check(scaledObject.Spec.MinReplicaCount >= 2, $"ScaledObject {scaledObject.Metadata.Name}: at least {scaledObject.Spec.MinReplicaCount} replica(s)");
        foreach (var budget in production.DisruptionBudgets)
        {
            var hpa = production.Autoscalers.Single(h => h.Metadata.Name == budget.Metadata.Name);
            var floor = hpa.Spec.MinReplicas ?? 1;
            // Pods that may be down at once at the autoscaler's floor, and stricter than the base's budget.
            problems.Check(AllowedDown(budget, floor) is >= 1 and < int.MaxValue && AllowedDown(budget, floor) < floor,
                $"PDB {budget.Metadata.Name}: allows {AllowedDown(budget, floor)} of {floor} pods down");
            problems.Check(AllowedDown(budget, 10) <= AllowedDown(baseline.DisruptionBudgets.Single(b => b.Metadata.Name == budget.Metadata.Name), 10),
                $"PDB {budget.Metadata.Name}: not stricter than the base's");
        }
        foreach (var deployment in production.Deployments)
        {
            var container = deployment.Spec.Template.Spec.Containers.Single();
            var baseContainer = baseline.Deployment(deployment.Metadata.Name).Spec.Template.Spec.Containers.Single();
            problems.Check(Kube.Memory(container.Resources, "limits") > Kube.Memory(baseContainer.Resources, "limits")
                           && Kube.Cpu(container.Resources, "limits") > Kube.Cpu(baseContainer.Resources, "limits"),
                $"{deployment.Metadata.Name}: limits no larger than the base's");
            problems.Check(deployment.Spec.Template.Spec.TopologySpreadConstraints?.Count > 0, $"{deployment.Metadata.Name}: replicas are not spread");
        }
        problems.ThrowIfAny();
    }

    [Fact]
    public void ProductionPinsItsImages()
    {
        var problems = new Problems(DeployFolder.Production);
        foreach (var deployment in fixture.Render(DeployFolder.Production).Deployments)
        foreach (var container in deployment.Spec.Template.Spec.Containers)
            problems.Check(Kube.IsPinnedTag(Kube.Image(container.Image).Tag), $"{deployment.Metadata.Name}: image {container.Image} is not a release tag or digest");
        problems.ThrowIfAny();
    }

    /// <summary>Tokens are issued for the issuer address: it must be the public host the Ingress serves over TLS.</summary>
    [Fact]
    public void ProductionServesTheIssuerHostOverTls()
    {
        var production = fixture.Render(DeployFolder.Production);
        var issuer = new Uri(production.Environment(production.Deployment("identity-api").Spec.Template.Spec.Containers.Single())["Identity__Issuer"].Value!);
        Assert.Equal("https", issuer.Scheme);
        var ingress = Assert.Single(production.Ingresses);
        Assert.All(ingress.Spec.Rules, rule => Assert.Equal(issuer.Host, rule.Host));
        var tls = Assert.Single(ingress.Spec.Tls);
        Assert.Equal([issuer.Host], tls.Hosts);
        Assert.False(string.IsNullOrEmpty(tls.SecretName));
    }

    /// <summary>The derivation of the queues from the services finds what the code declares (guards against a silent empty set).</summary>
    [Fact]
    public async Task ConsumerQueuesAreFoundInTheServices()
    {
        var manifests = fixture.Render(DeployFolder.Base);
        var queues = (await fixture.AppHostServicesAsync()).ToDictionary(s => s.Name, s => fixture.Register(manifests, s).ConsumerQueues());
        Assert.Contains("enrolment-user-created", queues["enrolment-api"]);
        Assert.Contains("notification-user-created", queues["notification-api"]);
        Assert.Contains("analytics-user-created", queues["analytics-api"]);
        Assert.Contains("catalogue-org-unit-created", queues["catalogue-api"]);
        Assert.Empty(queues["gateway"]);
    }

    private static int AllowedDown(V1PodDisruptionBudget budget, int replicas)
    {
        static int Resolve(IntOrString value, int replicas, bool roundUp) =>
            value.Value.EndsWith('%')
                ? (int)(roundUp ? Math.Ceiling(replicas * int.Parse(value.Value.TrimEnd('%')) / 100.0) : Math.Floor(replicas * int.Parse(value.Value.TrimEnd('%')) / 100.0))
                : int.Parse(value.Value);
        if (budget.Spec.MaxUnavailable is { } maxUnavailable) return Resolve(maxUnavailable, replicas, roundUp: true);
        if (budget.Spec.MinAvailable is { } minAvailable) return replicas - Resolve(minAvailable, replicas, roundUp: true);
        return int.MaxValue;
    }
}
