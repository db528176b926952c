using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace LmsPlatform.DeployTests;

/// <summary>Collects every problem of a check before failing, so that one run shows them all.</summary>
public sealed class Problems(string context)
{
    private readonly List<string> _problems = [];

    public void Add(string problem) => _problems.Add(problem);

    public void Check(bool condition, string problem)
    {
        if (!condition) _problems.Add(problem);
    }

    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
            throw new Xunit.Sdk.XunitException($"{context}: {_problems.Count} problem(s):\n  " + string.Join("\n  ", _problems));
    }
}

public static class Kube
{
    public const string Namespace = "lms";
    public const string ImageRegistry = "ghcr.io/lmsplatform/";

    public static V1ObjectMeta Meta(object item) => item switch
    {
        IMetadata<V1ObjectMeta> withMetadata => withMetadata.Metadata,
        _ => throw new ArgumentException($"{item.GetType().Name} has no metadata."),
    };

    public static string Describe(object item) => $"{((IKubernetesObject)item).Kind} {Meta(item).Name}";

    public static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    public static IDictionary<string, string>? PodLabels(V1Deployment deployment) => deployment.Spec.Template.Metadata?.Labels;

    /// <summary>An image reference's repository and tag (no tag: null; a digest counts as a tag).</summary>
    public static (string Repository, string? Tag) Image(string image)
    {
        var at = image.IndexOf('@');
        if (at >= 0) return (image[..at], image[(at + 1)..]);
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, null);
    }

    /// <summary>A release tag (1.2.3, v1.2.3-rc.1) or a digest, not a moving tag such as latest or dev.</summary>
    public static bool IsPinnedTag(string? tag) =>
        tag is not null && (tag.StartsWith("sha256:", StringComparison.Ordinal) || Regex.IsMatch(tag, @"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$"));

    public static double? Cpu(V1ResourceRequirements? resources, string which) => Quantity(resources, which, "cpu");
    public static double? Memory(V1ResourceRequirements? resources, string which) => Quantity(resources, which, "memory");

    private static double? Quantity(V1ResourceRequirements? resources, string which, string resource)
    {
        var values = which == "limits" ? resources?.Limits : resources?.Requests;
        return values is not null && values.TryGetValue(resource, out var quantity) ? (double)quantity.ToDecimal() : null;
    }
}

public static class DictionaryExtensions
{
    /// <summary>A value of a Kubernetes map (labels, annotations, ConfigMap data), or null.</summary>
    public static string? Value(this IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;
}
