using k8s;
using k8s.Models;
using YamlDotNet.Serialization;

namespace LmsPlatform.DeployTests;

// KEDA's custom resources (keda.sh/v1alpha1) with only the fields deploy/ uses, named as KEDA documents them
// (https://keda.sh/docs/latest/reference/scaledobject-spec/, the rabbitmq and cpu scalers, and TriggerAuthentication's
// secretTargetRef). Loading is strict, so a field that is misspelt, or that is used but not modelled here, fails the
// tests: add a field here only after checking its name against KEDA's documentation.

public sealed class ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    public const string ApiVersionAndKind = "keda.sh/v1alpha1/ScaledObject";

    /// <summary>Makes a ScaledObject adopt an existing HPA (named by <c>horizontalPodAutoscalerConfig.name</c>).</summary>
    public const string TransferHpaOwnershipAnnotation = "scaledobject.keda.sh/transfer-hpa-ownership";

    [YamlMember(Alias = "apiVersion")] public string ApiVersion { get; set; } = "";
    [YamlMember(Alias = "kind")] public string Kind { get; set; } = "";
    [YamlMember(Alias = "metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [YamlMember(Alias = "spec")] public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ScaledObjectSpec
{
    [YamlMember(Alias = "scaleTargetRef")] public ScaleTargetRef ScaleTargetRef { get; set; } = new();
    [YamlMember(Alias = "pollingInterval")] public int? PollingInterval { get; set; }
    [YamlMember(Alias = "minReplicaCount")] public int? MinReplicaCount { get; set; }
    [YamlMember(Alias = "maxReplicaCount")] public int? MaxReplicaCount { get; set; }
    [YamlMember(Alias = "advanced")] public ScaledObjectAdvanced? Advanced { get; set; }
    [YamlMember(Alias = "triggers")] public List<ScaleTrigger> Triggers { get; set; } = [];
}

/// <summary>The scaled workload; KEDA's default kind is an apps/v1 Deployment, which is all deploy/ scales.</summary>
public sealed class ScaleTargetRef
{
    [YamlMember(Alias = "name")] public string Name { get; set; } = "";
}

public sealed class ScaledObjectAdvanced
{
    [YamlMember(Alias = "horizontalPodAutoscalerConfig")] public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }
}

public sealed class HorizontalPodAutoscalerConfig
{
    [YamlMember(Alias = "name")] public string? Name { get; set; }
}

public sealed class ScaleTrigger
{
    [YamlMember(Alias = "type")] public string Type { get; set; } = "";
    [YamlMember(Alias = "metricType")] public string? MetricType { get; set; }
    [YamlMember(Alias = "metadata")] public Dictionary<string, string> Metadata { get; set; } = [];
    [YamlMember(Alias = "authenticationRef")] public AuthenticationRef? AuthenticationRef { get; set; }
}

/// <summary>A TriggerAuthentication in the ScaledObject's namespace (KEDA's default kind).</summary>
public sealed class AuthenticationRef
{
    [YamlMember(Alias = "name")] public string Name { get; set; } = "";
}

public sealed class TriggerAuthentication : IKubernetesObject<V1ObjectMeta>
{
    public const string ApiVersionAndKind = "keda.sh/v1alpha1/TriggerAuthentication";

    [YamlMember(Alias = "apiVersion")] public string ApiVersion { get; set; } = "";
    [YamlMember(Alias = "kind")] public string Kind { get; set; } = "";
    [YamlMember(Alias = "metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [YamlMember(Alias = "spec")] public TriggerAuthenticationSpec Spec { get; set; } = new();
}

public sealed class TriggerAuthenticationSpec
{
    [YamlMember(Alias = "secretTargetRef")] public List<SecretTargetRef> SecretTargetRef { get; set; } = [];
}

/// <summary>A scaler parameter (<c>host</c> for rabbitmq) read from a key of a Secret in the same namespace.</summary>
public sealed class SecretTargetRef
{
    [YamlMember(Alias = "parameter")] public string Parameter { get; set; } = "";
    [YamlMember(Alias = "name")] public string Name { get; set; } = "";
    [YamlMember(Alias = "key")] public string Key { get; set; } = "";
}
