using System.Diagnostics;
using System.Reflection;
using System.Text;
using k8s;
using k8s.Models;

namespace LmsPlatform.DeployTests;

/// <summary>The repository's deploy/ folder and the kustomizations in it that render on their own.</summary>
public static class DeployFolder
{
    public static readonly string RepositoryRoot = typeof(DeployFolder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static readonly string Root = Path.Combine(RepositoryRoot, "deploy");

    public const string Base = "base";
    public const string Dev = "overlays/dev";
    public const string Production = "overlays/production";

    /// <summary>The base and every overlay, as paths relative to deploy/.</summary>
    public static IReadOnlyList<string> Kustomizations() =>
    [
        Base,
        .. Directory.GetDirectories(Path.Combine(Root, "overlays")).Order(StringComparer.Ordinal)
            .Select(d => "overlays/" + Path.GetFileName(d)),
    ];

    public static TheoryData<string> All() => [.. Kustomizations()];
}

/// <summary><c>kubectl kustomize</c>: kubectl's built-in kustomize, as <c>kubectl apply -k</c> would render.</summary>
public static class Kustomize
{
    private const string Advice = "The deployment tests render deploy/ with `kubectl kustomize` and cannot check anything without it: " +
                                  "install kubectl (1.27 or later) at /usr/bin/kubectl or on the PATH, or set KUBECTL to its path.";

    /// <summary>$KUBECTL when set, else /usr/bin/kubectl, /usr/local/bin/kubectl or the PATH's; missing is an error, not a skip.</summary>
    public static string Kubectl
    {
        get
        {
            if (Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } configured)
                return File.Exists(configured) ? configured : throw new InvalidOperationException($"KUBECTL is {configured}, which does not exist. {Advice}");
            return new[] { "/usr/bin/kubectl", "/usr/local/bin/kubectl" }
                       .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                           .Select(directory => Path.Combine(directory, "kubectl")))
                       .FirstOrDefault(File.Exists)
                   ?? throw new InvalidOperationException($"kubectl was not found. {Advice}");
        }
    }

    public static string Render(string kustomization)
    {
        var directory = Path.Combine(DeployFolder.Root, kustomization);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory} does not exist.");
        var start = new ProcessStartInfo(Kubectl, ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill();
            throw new TimeoutException($"kubectl kustomize {kustomization} did not finish within a minute.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"kubectl kustomize {kustomization} failed ({process.ExitCode}):\n{error.Result}");
        return output.Result;
    }
}

/// <summary>The objects of one rendered kustomization, loaded strictly into KubernetesClient's models and ours.</summary>
public sealed class Manifests
{
    /// <summary>KubernetesClient's own models (merged in by the loader) plus KEDA's, which it does not know.</summary>
    public static readonly IReadOnlyDictionary<string, Type> KedaTypes = new Dictionary<string, Type>
    {
        [ScaledObject.ApiVersionAndKind] = typeof(ScaledObject),
        [TriggerAuthentication.ApiVersionAndKind] = typeof(TriggerAuthentication),
    };

    public Manifests(string name, IReadOnlyList<object> objects)
    {
        Name = name;
        Objects = objects;
    }

    public string Name { get; }
    public IReadOnlyList<object> Objects { get; }

    /// <summary>
    /// Every document of <paramref name="yaml"/> into its model, throwing on a field the model does not have (a typo),
    /// a duplicated key, or an apiVersion/kind with no model.
    /// </summary>
    public static IReadOnlyList<object> LoadStrictly(string yaml)
    {
        try
        {
            return KubernetesYaml.LoadAllFromString(yaml, new Dictionary<string, Type>(KedaTypes), strict: true);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidOperationException($"A document's apiVersion/kind has no model (add KEDA kinds to KedaModels.cs): {e.Message}", e);
        }
    }

    public static Manifests Render(string kustomization) => new(kustomization, LoadStrictly(Kustomize.Render(kustomization)));

    public IEnumerable<V1Namespace> Namespaces => Objects.OfType<V1Namespace>();
    public IEnumerable<V1Deployment> Deployments => Objects.OfType<V1Deployment>();
    public IEnumerable<V1Service> Services => Objects.OfType<V1Service>();
    public IEnumerable<V2HorizontalPodAutoscaler> Autoscalers => Objects.OfType<V2HorizontalPodAutoscaler>();
    public IEnumerable<V1PodDisruptionBudget> DisruptionBudgets => Objects.OfType<V1PodDisruptionBudget>();
    public IEnumerable<V1ConfigMap> ConfigMaps => Objects.OfType<V1ConfigMap>();
    public IEnumerable<V1Secret> Secrets => Objects.OfType<V1Secret>();
    public IEnumerable<V1Ingress> Ingresses => Objects.OfType<V1Ingress>();
    public IEnumerable<ScaledObject> ScaledObjects => Objects.OfType<ScaledObject>();
    public IEnumerable<TriggerAuthentication> TriggerAuthentications => Objects.OfType<TriggerAuthentication>();

    public V1Deployment Deployment(string name) => Single(Deployments, d => d.Metadata.Name == name, $"Deployment {name}");
    public V1Service Service(string name) => Single(Services, s => s.Metadata.Name == name, $"Service {name}");
    public V1ConfigMap ConfigMap(string name) => Single(ConfigMaps, c => c.Metadata.Name == name, $"ConfigMap {name}");
    public V1Secret Secret(string name) => Single(Secrets, s => s.Metadata.Name == name, $"Secret {name}");

    private T Single<T>(IEnumerable<T> items, Func<T, bool> predicate, string what)
    {
        var matches = items.Where(predicate).ToList();
        return matches.Count == 1 ? matches[0] : throw new Xunit.Sdk.XunitException($"{Name}: expected one {what}, found {matches.Count}.");
    }

    /// <summary>A Secret's values as the pod sees them (the YAML loader decodes <c>data</c> from base64).</summary>
    public static IReadOnlyDictionary<string, string> Values(V1Secret secret)
    {
        var values = new Dictionary<string, string>();
        foreach (var (key, raw) in secret.Data ?? new Dictionary<string, byte[]>())
            values[key] = Encoding.UTF8.GetString(raw);
        foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>()) values[key] = value;
        return values;
    }

    /// <summary>
    /// The environment of a Deployment's container as the pod gets it: <c>env</c>, then every <c>envFrom</c> source in
    /// order (a later source wins, <c>env</c> wins over all), each variable with where it comes from.
    /// </summary>
    public IReadOnlyDictionary<string, EnvironmentVariable> Environment(V1Container container)
    {
        var variables = new Dictionary<string, EnvironmentVariable>();
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } configMapRef)
            {
                var configMap = ConfigMap(configMapRef.Name);
                foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
                    variables[source.Prefix + key] = new(source.Prefix + key, value, VariableSource.ConfigMap, configMap.Metadata.Name);
            }
            if (source.SecretRef is { } secretRef)
            {
                var secret = Secret(secretRef.Name);
                foreach (var (key, value) in Values(secret))
                    variables[source.Prefix + key] = new(source.Prefix + key, value, VariableSource.Secret, secret.Metadata.Name);
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            variables[variable.Name] = variable switch
            {
                { ValueFrom.SecretKeyRef: { } key } => new(variable.Name, Values(Secret(key.Name)).GetValueOrDefault(key.Key), VariableSource.Secret, key.Name),
                { ValueFrom.ConfigMapKeyRef: { } key } => new(variable.Name, ConfigMap(key.Name).Data.Value(key.Key), VariableSource.ConfigMap, key.Name),
                { ValueFrom: not null } => new(variable.Name, null, VariableSource.Field, null),
                _ => new(variable.Name, variable.Value, VariableSource.Literal, null),
            };
        }
        return variables;
    }
}

public enum VariableSource { Literal, ConfigMap, Secret, Field }

public sealed record EnvironmentVariable(string Name, string? Value, VariableSource Source, string? From);
