using System.Collections.Concurrent;

[assembly: AssemblyFixture(typeof(LmsPlatform.DeployTests.DeploymentFixture))]

namespace LmsPlatform.DeployTests;

/// <summary>
/// What the tests share, each made once and on first use: the AppHost's services, every kustomization rendered and
/// loaded, and each service's registration against each rendering's environment.
/// </summary>
public sealed class DeploymentFixture
{
    private readonly Lazy<Task<IReadOnlyList<AppHostService>>> _services = new(() => AppHostModel.LoadAsync());
    private readonly ConcurrentDictionary<string, Lazy<Manifests>> _manifests = new();
    private readonly ConcurrentDictionary<(string, string), Lazy<ServiceRegistration>> _registrations = new();

    public Task<IReadOnlyList<AppHostService>> AppHostServicesAsync() => _services.Value;

    public Manifests Render(string kustomization) =>
        _manifests.GetOrAdd(kustomization, k => new Lazy<Manifests>(() => Manifests.Render(k))).Value;

    /// <summary>The service's registration run with exactly the environment its Deployment in <paramref name="manifests"/> gives it.</summary>
    public ServiceRegistration Register(Manifests manifests, AppHostService service) =>
        _registrations.GetOrAdd((manifests.Name, service.Name), _ => new Lazy<ServiceRegistration>(() =>
        {
            var container = manifests.Deployment(service.Name).Spec.Template.Spec.Containers.Single();
            var environment = manifests.Environment(container).ToDictionary(e => e.Key, e => e.Value.Value);
            return ServiceRegistration.Run(service.AssemblyName, environment);
        })).Value;
}
