using k8s;
using k8s.Models;

namespace LmsPlatform.DeployTests;

/// <summary>
/// Every kustomization (base and overlays), rendered and strictly loaded, against the AppHost's model: each service
/// the AppHost defines is deployed, hardened, probed, autoscaled, and given exactly the variables the AppHost gives it.
/// </summary>
public class ServiceManifestTests(DeploymentFixture fixture)
{
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void RendersAndLoadsStrictly(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        problems.Check(manifests.Objects.Count > 0, "renders nothing");
        problems.Check(manifests.Namespaces.Any(n => n.Metadata.Name == Kube.Namespace), $"has no Namespace {Kube.Namespace}");
        foreach (var item in manifests.Objects.Where(o => o is not V1Namespace))
            problems.Check(Kube.Meta(item).NamespaceProperty == Kube.Namespace, $"{Kube.Describe(item)} is not in namespace {Kube.Namespace}");
        foreach (var duplicate in manifests.Objects.GroupBy(o => ((IKubernetesObject)o).ApiVersion + "/" + Kube.Describe(o)).Where(g => g.Count() > 1))
            problems.Add($"{duplicate.Key} appears {duplicate.Count()} times");
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task EveryAppHostServiceHasItsObjects(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var services = await fixture.AppHostServicesAsync();
        Assert.NotEmpty(services);
        var problems = new Problems(kustomization);
        foreach (var service in services)
        {
            var name = service.Name;
            var deployment = manifests.Deployments.SingleOrDefault(d => d.Metadata.Name == name);
            if (deployment is null)
            {
                problems.Add($"{name}: no Deployment");
                continue;
            }
            var pods = Kube.PodLabels(deployment);
            problems.Check(Kube.Selects(deployment.Spec.Selector.MatchLabels, pods), $"{name}: the Deployment's selector does not select its pods");
            problems.Check(manifests.Deployments.Count(d => Kube.Selects(deployment.Spec.Selector.MatchLabels, Kube.PodLabels(d))) == 1,
                $"{name}: the Deployment's selector also selects another Deployment's pods");
            var containers = deployment.Spec.Template.Spec.Containers;
            if (containers.Count != 1)
            {
                problems.Add($"{name}: {containers.Count} containers, expected the service alone");
                continue;
            }
            var container = containers[0];
            problems.Check(Kube.Image(container.Image).Repository == Kube.ImageRegistry + name,
                $"{name}: image {container.Image} is not {Kube.ImageRegistry}{name}");
            var http = container.Ports?.SingleOrDefault(p => p.Name == "http");
            problems.Check(http is { ContainerPort: 8080 }, $"{name}: no container port http = 8080");
            problems.Check(container.Env?.SingleOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value == "http://+:8080",
                $"{name}: ASPNETCORE_URLS is not http://+:8080 (the http port)");

            var kubeService = manifests.Services.SingleOrDefault(s => s.Metadata.Name == name);
            if (kubeService is null) problems.Add($"{name}: no Service");
            else
            {
                problems.Check(kubeService.Spec.Type is null or "ClusterIP", $"{name}: the Service is {kubeService.Spec.Type}, not ClusterIP");
                problems.Check(Kube.Selects(kubeService.Spec.Selector, pods), $"{name}: the Service does not select the Deployment's pods");
                problems.Check(manifests.Deployments.Count(d => Kube.Selects(kubeService.Spec.Selector, Kube.PodLabels(d))) == 1,
                    $"{name}: the Service also selects another Deployment's pods");
                // The gateway and service discovery address a service as http://{name}: port 80.
                var port = kubeService.Spec.Ports?.SingleOrDefault(p => p.Name == "http");
                problems.Check(port is { Port: 80 } && (port.TargetPort?.Value == "http" || port.TargetPort?.Value == "8080"),
                    $"{name}: the Service has no port http 80 to the container's http port");
            }

            var autoscaler = manifests.Autoscalers.SingleOrDefault(h => h.Spec.ScaleTargetRef is { Kind: "Deployment", Name: var target } && target == name);
            if (autoscaler is null) problems.Add($"{name}: no HorizontalPodAutoscaler for the Deployment");
            else
            {
                problems.Check(autoscaler.Spec.Metrics?.Any(m => m is { Type: "Resource", Resource.Name: "cpu" }) == true, $"{name}: the HPA does not scale on CPU");
                problems.Check(autoscaler.Spec.MinReplicas is >= 1 && autoscaler.Spec.MinReplicas <= autoscaler.Spec.MaxReplicas,
                    $"{name}: the HPA's range {autoscaler.Spec.MinReplicas}..{autoscaler.Spec.MaxReplicas} is not a range");
            }

            var budget = manifests.DisruptionBudgets.SingleOrDefault(p => Kube.Selects(p.Spec.Selector?.MatchLabels, pods));
            if (budget is null) problems.Add($"{name}: no PodDisruptionBudget selecting its pods");
            else problems.Check(budget.Spec.MaxUnavailable is not null ^ budget.Spec.MinAvailable is not null,
                $"{name}: the PodDisruptionBudget sets neither or both of maxUnavailable and minAvailable");

            // Its own configuration, besides the shared lms-common: a ConfigMap always, a Secret when it has secrets.
            var envFrom = container.EnvFrom ?? [];
            problems.Check(envFrom.Any(e => e.ConfigMapRef?.Name is { } c && (c == name || c.StartsWith(name + "-", StringComparison.Ordinal))),
                $"{name}: no ConfigMap of its own in envFrom");
            if (service.References.Any(r => r.Secret))
                problems.Check(envFrom.Any(e => e.SecretRef?.Name is { } s && (s == name || s.StartsWith(name + "-", StringComparison.Ordinal))),
                    $"{name}: has secrets but no Secret of its own in envFrom");
            foreach (var source in envFrom)
            {
                if (source.ConfigMapRef is { Name: var c } && !manifests.ConfigMaps.Any(m => m.Metadata.Name == c)) problems.Add($"{name}: ConfigMap {c} does not exist");
                if (source.SecretRef is { Name: var s } && !manifests.Secrets.Any(m => m.Metadata.Name == s)) problems.Add($"{name}: Secret {s} does not exist");
            }
        }
        foreach (var extra in manifests.Deployments.Where(d => services.All(s => s.Name != d.Metadata.Name)))
            problems.Add($"Deployment {extra.Metadata.Name} is not a service of the AppHost");
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void EveryDeploymentIsProbedHardenedAndSized(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var deployment in manifests.Deployments)
        {
            var name = deployment.Metadata.Name;
            var pod = deployment.Spec.Template.Spec;
            foreach (var container in pod.Containers)
            {
                var where = $"{name}/{container.Name}";
                problems.Check(container.ReadinessProbe?.HttpGet is { Path: "/health", Port.Value: "http" }, $"{where}: readiness is not GET /health on http");
                problems.Check(container.LivenessProbe?.HttpGet is { Path: "/alive", Port.Value: "http" }, $"{where}: liveness is not GET /alive on http");
                problems.Check(container.StartupProbe?.HttpGet is { Port.Value: "http" }, $"{where}: no HTTP startup probe");

                var security = container.SecurityContext;
                problems.Check((security?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) == true, $"{where}: runAsNonRoot is not true");
                problems.Check((security?.RunAsUser ?? pod.SecurityContext?.RunAsUser) is 1654 or 64198,
                    $"{where}: runs as uid {security?.RunAsUser ?? pod.SecurityContext?.RunAsUser}, not the image's app user (1654 or 64198)");
                problems.Check(security?.AllowPrivilegeEscalation == false, $"{where}: allowPrivilegeEscalation is not false");
                problems.Check(security?.ReadOnlyRootFilesystem == true, $"{where}: readOnlyRootFilesystem is not true");
                problems.Check(security?.Capabilities?.Drop?.Contains("ALL") == true, $"{where}: capabilities do not drop ALL");
                problems.Check((security?.SeccompProfile ?? pod.SecurityContext?.SeccompProfile)?.Type == "RuntimeDefault", $"{where}: seccomp is not RuntimeDefault");
                problems.Check(security?.Privileged != true, $"{where}: privileged");

                var tmp = container.VolumeMounts?.SingleOrDefault(m => m.MountPath == "/tmp");
                problems.Check(tmp is not null && pod.Volumes?.SingleOrDefault(v => v.Name == tmp.Name)?.EmptyDir is not null,
                    $"{where}: no emptyDir at /tmp (the root filesystem is read-only)");

                foreach (var which in new[] { "requests", "limits" })
                {
                    problems.Check(Kube.Cpu(container.Resources, which) is > 0, $"{where}: no cpu {which}");
                    problems.Check(Kube.Memory(container.Resources, which) is > 0, $"{where}: no memory {which}");
                }
                problems.Check(Kube.Cpu(container.Resources, "requests") <= Kube.Cpu(container.Resources, "limits")
                               && Kube.Memory(container.Resources, "requests") <= Kube.Memory(container.Resources, "limits"),
                    $"{where}: requests exceed limits");
                // A .NET service needs room for its runtime and heap: 128Mi is a floor, not a size.
                problems.Check(Kube.Memory(container.Resources, "limits") >= 128 * 1024 * 1024, $"{where}: a memory limit under 128Mi");
            }
            problems.Check(pod.HostNetwork != true && pod.HostPID != true && pod.HostIPC != true, $"{name}: shares a host namespace");
            problems.Check(pod.EnableServiceLinks == false, $"{name}: enableServiceLinks adds Kubernetes' own variables to the service's environment");
        }
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task EveryDeploymentGivesItsServiceExactlyTheAppHostsVariables(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var service in await fixture.AppHostServicesAsync())
        {
            var container = manifests.Deployment(service.Name).Spec.Template.Spec.Containers.Single();
            var environment = manifests.Environment(container);
            var expected = service.DeploymentVariables();
            foreach (var missing in expected.Where(v => !environment.ContainsKey(v)).Order())
                problems.Add($"{service.Name}: lacks {missing}, which the AppHost gives it");
            foreach (var extra in environment.Keys.Where(v => !expected.Contains(v)).Order())
                problems.Add($"{service.Name}: has {extra}, which the AppHost does not give it");
            foreach (var variable in environment.Values.Where(v => string.IsNullOrWhiteSpace(v.Value) && v.Name != "OTEL_EXPORTER_OTLP_ENDPOINT"))
                problems.Add($"{service.Name}: {variable.Name} is empty");
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// The AppHost's references, one by one: a database, the broker or Redis reaches the service as
    /// <c>ConnectionStrings__{name}</c> from a Secret; another service as <c>services__{name}__http__0</c> (or, for the
    /// gateway, as the issuer address every service gets); a secret parameter from a Secret.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task EveryAppHostReferenceReachesTheDeployment(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var service in await fixture.AppHostServicesAsync())
        {
            var environment = manifests.Environment(manifests.Deployment(service.Name).Spec.Template.Spec.Containers.Single());
            foreach (var reference in service.References)
            {
                var carriers = service.VariablesCarrying(reference);
                var what = $"{service.Name}: reference to {reference.Name}";
                switch (reference.Kind)
                {
                    case ReferenceKind.ConnectionString:
                        problems.Check(carriers.Contains($"ConnectionStrings__{reference.Name}"), $"{what}: the AppHost gives no ConnectionStrings__{reference.Name}");
                        break;
                    case ReferenceKind.Service:
                        problems.Check(carriers.Count > 0, $"{what}: no variable carries it");
                        if (carriers.Contains($"services__{reference.Name}__http__0"))
                            problems.Check(environment.GetValueOrDefault($"services__{reference.Name}__http__0")?.Value == $"http://{reference.Name}",
                                $"{what}: services__{reference.Name}__http__0 is not http://{reference.Name} (the Service's DNS name)");
                        break;
                    case ReferenceKind.Parameter:
                        problems.Check(carriers.Count > 0, $"{what}: no variable carries it");
                        break;
                    default:
                        problems.Add($"{what}: a {reference.Kind} reference, which these tests do not know how to deploy");
                        break;
                }
                foreach (var carrier in carriers)
                {
                    if (!environment.TryGetValue(carrier, out var variable)) problems.Add($"{what}: {carrier} is missing");
                    else if (reference.Secret && variable.Source != VariableSource.Secret) problems.Add($"{what}: {carrier} comes from a {variable.Source}, not a Secret");
                }
            }
        }
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task ValuesHaveTheFormatsTheServicesRead(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var service in await fixture.AppHostServicesAsync())
        {
            foreach (var (name, variable) in manifests.Environment(manifests.Deployment(service.Name).Spec.Template.Spec.Containers.Single()))
            {
                var value = variable.Value ?? "";
                var where = $"{service.Name}: {name}";
                try
                {
                    switch (name)
                    {
                        case "ConnectionStrings__eventbus":
                            problems.Check(Uri.TryCreate(value, UriKind.Absolute, out var amqp) && amqp.Scheme is "amqp" or "amqps", $"{where} is not an AMQP URI");
                            break;
                        case "ConnectionStrings__redis":
                            problems.Check(StackExchange.Redis.ConfigurationOptions.Parse(value).EndPoints.Count > 0, $"{where} names no Redis endpoint");
                            break;
                        case "ConnectionStrings__mail":
                            var mail = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = value };
                            problems.Check(mail.TryGetValue("Endpoint", out var endpoint) && Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var smtp)
                                && smtp.Scheme is "smtp" or "smtps", $"{where} names no smtp:// or smtps:// endpoint");
                            break;
                        case var db when db.StartsWith("ConnectionStrings__", StringComparison.Ordinal):
                            var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(value);
                            problems.Check(!string.IsNullOrEmpty(npgsql.Host), $"{where} names no host");
                            problems.Check(npgsql.Database == db["ConnectionStrings__".Length..], $"{where} is for database {npgsql.Database}");
                            break;
                        case "Identity__Issuer":
                            problems.Check(Uri.TryCreate(value, UriKind.Absolute, out var issuer) && issuer.Scheme is "http" or "https" && issuer.AbsolutePath == "/",
                                $"{where} ({value}) is not the gateway's root address");
                            break;
                        case "OTEL_EXPORTER_OTLP_ENDPOINT":
                            problems.Check(value.Length == 0 || Uri.TryCreate(value, UriKind.Absolute, out _), $"{where} is not a URL");
                            break;
                        case "OTEL_SERVICE_NAME":
                            problems.Check(value == service.Name, $"{where} is {value}, not {service.Name}");
                            break;
                        case "Identity__BootstrapAdmin__Email":
                            problems.Check(System.Net.Mail.MailAddress.TryCreate(value, out _), $"{where} ({value}) is not an e-mail address");
                            break;
                        case "ASPNETCORE_ENVIRONMENT":
                            problems.Check(value is "Production" or "Staging" or "Development", $"{where} is {value}");
                            break;
                        case var url when url.StartsWith("services__", StringComparison.Ordinal):
                            problems.Check(Uri.TryCreate(value, UriKind.Absolute, out var target) && manifests.Services.Any(s => s.Metadata.Name == target.Host),
                                $"{where} ({value}) is not the address of a Service");
                            break;
                    }
                }
                catch (Exception e) when (e is ArgumentException or FormatException)
                {
                    problems.Add($"{where} does not parse: {e.Message}");
                }
            }
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// Each service's own registration (AddApplicationServices, AddGateway) run with exactly its Deployment's
    /// environment: it reads its connection strings and settings there and throws when one is missing or unreadable.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task EveryServiceRegistersWithItsDeploymentsEnvironment(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        foreach (var service in await fixture.AppHostServicesAsync())
        {
            try { fixture.Register(manifests, service); }
            catch (Exception e) { problems.Add($"{service.Name}: {e.Message}"); }
        }
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void SecretsHoldOnlyPlaceholders(string kustomization)
    {
        var problems = new Problems(kustomization);
        foreach (var secret in fixture.Render(kustomization).Secrets)
        foreach (var (key, value) in Manifests.Values(secret))
            problems.Check(value.Contains("REPLACE-ME", StringComparison.Ordinal), $"Secret {secret.Metadata.Name}: {key} is not a REPLACE-ME placeholder");
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public async Task ObjectsCarryTheCommonLabels(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var services = (await fixture.AppHostServicesAsync()).Select(s => s.Name).ToHashSet();
        var problems = new Problems(kustomization);
        foreach (var item in manifests.Objects)
        {
            var labels = Kube.Meta(item).Labels ?? new Dictionary<string, string>();
            problems.Check(labels.Value("app.kubernetes.io/part-of") == "lms-platform", $"{Kube.Describe(item)}: no app.kubernetes.io/part-of=lms-platform");
            // A service's objects say which service and which component they are; shared ones (lms-common, KEDA's
            // authentication, the namespace) belong to no single service.
            if (labels.Value("app.kubernetes.io/name") is { } name)
            {
                problems.Check(services.Contains(name), $"{Kube.Describe(item)}: app.kubernetes.io/name={name} is not a service");
                problems.Check(labels.ContainsKey("app.kubernetes.io/component"), $"{Kube.Describe(item)}: no app.kubernetes.io/component");
            }
            else problems.Check(item is not (V1Deployment or V1Service or V2HorizontalPodAutoscaler or V1PodDisruptionBudget or V1Ingress or ScaledObject),
                $"{Kube.Describe(item)}: no app.kubernetes.io/name");
        }
        foreach (var deployment in manifests.Deployments)
        {
            var pods = Kube.PodLabels(deployment) ?? new Dictionary<string, string>();
            foreach (var label in new[] { "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/component" })
                problems.Check(pods.ContainsKey(label), $"Deployment {deployment.Metadata.Name}: its pods lack {label}");
        }
        problems.ThrowIfAny();
    }

    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void TheGatewayIsTheOnlyPublicEntry(string kustomization)
    {
        var manifests = fixture.Render(kustomization);
        var problems = new Problems(kustomization);
        var ingress = Assert.Single(manifests.Ingresses);
        var backends = ingress.Spec.Rules.SelectMany(r => r.Http.Paths).Select(p => p.Backend.Service).ToList();
        problems.Check(backends.Count > 0 && backends.All(b => b is { Name: "gateway" } && (b.Port.Name == "http" || b.Port.Number == 80)),
            "the Ingress routes somewhere other than the gateway Service's http port");
        foreach (var service in manifests.Services.Where(s => s.Spec.Type is "LoadBalancer" or "NodePort"))
            problems.Add($"Service {service.Metadata.Name} is a {service.Spec.Type}: only the gateway's Ingress is public");
        problems.ThrowIfAny();
    }

    /// <summary>
    /// Deployments leave their replica count to their autoscaler (an HPA, or KEDA through it): a count in the manifest
    /// would reset the scale on every apply. The overlays set the range instead.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeployFolder.All), MemberType = typeof(DeployFolder))]
    public void ReplicaCountsAreLeftToTheAutoscalers(string kustomization)
    {
        var problems = new Problems(kustomization);
        foreach (var deployment in fixture.Render(kustomization).Deployments)
            problems.Check(deployment.Spec.Replicas is null, $"Deployment {deployment.Metadata.Name} sets replicas: {deployment.Spec.Replicas}");
        problems.ThrowIfAny();
    }
}
