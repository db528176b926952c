namespace LmsPlatform.DeployTests;

/// <summary>
/// The RabbitMQ consumers scale on their queues through KEDA. The queues are not listed here: each service's
/// registration says which consumers it has, and MassTransit's endpoint name formatter (the one the service configures)
/// names their queues.
/// </summary>
public class KedaTests(DeploymentFixture fixture)
{
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task EveryConsumerQueueHasAKedaTriggerOfItsService(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var service in await fixture.AppHostServicesAsync())
        {
            var queues = fixture.Register(manifests, service).ConsumerQueues();
            var scaledObjects = manifests.ScaledObjects.Where(s => s.Spec.ScaleTargetRef.Name == service.Name).ToList();
            if (queues.Count == 0)
            {
                problems.Check(scaledObjects.Count == 0, $"{service.Name}: consumes no queue but has a ScaledObject");
                continue;
            }
            if (scaledObjects.Count != 1)
            {
                problems.Add($"{service.Name}: consumes {string.Join(", ", queues.Order())} but has {scaledObjects.Count} ScaledObjects");
                continue;
            }
            var triggers = scaledObjects[0].Spec.Triggers.Where(t => t.Type == "rabbitmq").ToList();
            var watched = triggers.Select(t => t.Metadata.GetValueOrDefault("queueName")).OfType<string>().ToHashSet();
            foreach (var queue in queues.Except(watched).Order()) problems.Add($"{service.Name}: no rabbitmq trigger for its queue {queue}");
            foreach (var queue in watched.Except(queues).Order()) problems.Add($"{service.Name}: a rabbitmq trigger for {queue}, which it does not consume");
            foreach (var trigger in triggers)
            {
                var queue = trigger.Metadata.GetValueOrDefault("queueName");
                problems.Check(trigger.Metadata.GetValueOrDefault("mode") == "QueueLength", $"{service.Name}/{queue}: mode is not QueueLength");
                problems.Check(trigger.Metadata.GetValueOrDefault("protocol") is null or "amqp" or "auto", $"{service.Name}/{queue}: not over AMQP");
                problems.Check(double.TryParse(trigger.Metadata.GetValueOrDefault("value"), System.Globalization.CultureInfo.InvariantCulture, out var target) && target > 0,
                    $"{service.Name}/{queue}: no positive target value");
                problems.Check(!trigger.Metadata.ContainsKey("host"), $"{service.Name}/{queue}: a host in the trigger (credentials belong in the TriggerAuthentication's Secret)");
                CheckAuthentication(manifests, problems, $"{service.Name}/{queue}", trigger.AuthenticationRef?.Name);
            }
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// A Deployment has one autoscaler: the ScaledObject adopts the service's HPA (KEDA's transfer-hpa-ownership) instead
    /// of creating its own, keeps its CPU target, and has the same replica range.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void EveryScaledObjectTakesOverItsServicesHpa(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var scaledObject in manifests.ScaledObjects)
        {
            var name = $"ScaledObject {scaledObject.Metadata.Name}";
            var target = scaledObject.Spec.ScaleTargetRef.Name;
            problems.Check(manifests.Deployments.Any(d => d.Metadata.Name == target), $"{name}: its target Deployment {target} does not exist");
            problems.Check(scaledObject.Metadata.Annotations.Value(ScaledObject.TransferHpaOwnershipAnnotation) == "true",
                $"{name}: no {ScaledObject.TransferHpaOwnershipAnnotation}: \"true\"");
            var hpaName = scaledObject.Spec.Advanced?.HorizontalPodAutoscalerConfig?.Name;
            var hpa = manifests.Autoscalers.SingleOrDefault(h => h.Metadata.Name == hpaName);
            if (hpa is null)
            {
                problems.Add($"{name}: spec.advanced.horizontalPodAutoscalerConfig.name ({hpaName}) names no HPA");
                continue;
            }
            problems.Check(hpa.Spec.ScaleTargetRef is { Kind: "Deployment" } && hpa.Spec.ScaleTargetRef.Name == target, $"{name}: HPA {hpaName} scales something else");
            problems.Check(manifests.Autoscalers.Count(h => h.Spec.ScaleTargetRef.Name == target) == 1, $"{name}: {target} has more than one HPA");
            problems.Check(scaledObject.Spec.MinReplicaCount == hpa.Spec.MinReplicas && scaledObject.Spec.MaxReplicaCount == hpa.Spec.MaxReplicas,
                $"{name}: replicas {scaledObject.Spec.MinReplicaCount}..{scaledObject.Spec.MaxReplicaCount}, its HPA {hpa.Spec.MinReplicas}..{hpa.Spec.MaxReplicas}");
            problems.Check(scaledObject.Spec.MinReplicaCount >= 1, $"{name}: may scale an HTTP service to zero");
            var cpu = hpa.Spec.Metrics?.FirstOrDefault(m => m.Resource?.Name == "cpu")?.Resource.Target.AverageUtilization;
            problems.Check(scaledObject.Spec.Triggers.Any(t => t is { Type: "cpu", MetricType: "Utilization" } && t.Metadata.GetValueOrDefault("value") == cpu?.ToString()),
                $"{name}: no cpu Utilization trigger at the HPA's {cpu}%");
            foreach (var trigger in scaledObject.Spec.Triggers.Where(t => t.Type is not ("cpu" or "rabbitmq")))
                problems.Add($"{name}: a {trigger.Type} trigger, which these tests do not know");
        }
        problems.ThrowIfAny();
    }

    private static void CheckAuthentication(Manifests manifests, Problems problems, string where, string? name)
    {
        var authentication = manifests.TriggerAuthentications.SingleOrDefault(a => a.Metadata.Name == name);
        if (authentication is null)
        {
            problems.Add($"{where}: authenticationRef {name} names no TriggerAuthentication");
            return;
        }
        var host = authentication.Spec.SecretTargetRef.SingleOrDefault(r => r.Parameter == "host");
        var secret = manifests.Secrets.SingleOrDefault(s => s.Metadata.Name == host?.Name);
        if (host is null || secret is null || !Manifests.Values(secret).TryGetValue(host.Key, out var uri))
        {
            problems.Add($"{where}: TriggerAuthentication {name} reads no host from an existing Secret key");
            return;
        }
        problems.Check(Uri.TryCreate(uri, UriKind.Absolute, out var amqp) && amqp.Scheme is "amqp" or "amqps", $"{where}: the host in Secret {secret.Metadata.Name} is not an AMQP URI");
    }
}
