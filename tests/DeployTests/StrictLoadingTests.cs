using YamlDotNet.Core;

namespace LmsPlatform.DeployTests;

/// <summary>The loading the other tests rely on is strict: a misspelt field anywhere is an error, not an omission.</summary>
public class StrictLoadingTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: identity-api
        spec:
          {0}: 2
          selector:
            matchLabels:
              app.kubernetes.io/name: identity-api
          template:
            metadata:
              labels:
                app.kubernetes.io/name: identity-api
            spec:
              containers:
                - name: identity-api
                  image: ghcr.io/lmsplatform/identity-api:latest
        """;

    private const string ScaledObjectYaml = """
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: enrolment-api
        spec:
          scaleTargetRef:
            name: enrolment-api
          {0}: 2
          triggers:
            - type: rabbitmq
              metadata:
                mode: QueueLength
                value: "50"
                queueName: enrolment-user-created
              authenticationRef:
                name: rabbitmq
        """;

    [Fact]
    public void AMisspeltDeploymentFieldFailsTheLoad()
    {
        var loaded = Assert.IsType<k8s.Models.V1Deployment>(Assert.Single(Manifests.LoadStrictly(string.Format(Deployment, "replicas"))));
        Assert.Equal(2, loaded.Spec.Replicas);

        var error = Assert.ThrowsAny<YamlException>(() => Manifests.LoadStrictly(string.Format(Deployment, "replica")));
        Assert.Contains("replica", error.ToString());
    }

    [Fact]
    public void AMisspeltKedaFieldFailsTheLoad()
    {
        var loaded = Assert.IsType<ScaledObject>(Assert.Single(Manifests.LoadStrictly(string.Format(ScaledObjectYaml, "minReplicaCount"))));
        Assert.Equal(2, loaded.Spec.MinReplicaCount);
        Assert.Equal("enrolment-user-created", Assert.Single(loaded.Spec.Triggers).Metadata["queueName"]);

        // The HPA's name for the field, an easy slip in a ScaledObject.
        var error = Assert.ThrowsAny<YamlException>(() => Manifests.LoadStrictly(string.Format(ScaledObjectYaml, "minReplicas")));
        Assert.Contains("minReplicas", error.ToString());
    }

    [Fact]
    public void ADuplicatedKeyFailsTheLoad()
    {
        var duplicated = string.Format(Deployment, "replicas").Replace("  replicas: 2", "  replicas: 2\n  replicas: 3");
        Assert.ThrowsAny<YamlException>(() => Manifests.LoadStrictly(duplicated));
    }

    [Fact]
    public void AKindWithoutAModelFailsTheLoad()
    {
        var scaledJob = string.Format(ScaledObjectYaml, "minReplicaCount").Replace("kind: ScaledObject", "kind: ScaledJob");
        var error = Assert.Throws<InvalidOperationException>(() => Manifests.LoadStrictly(scaledJob));
        Assert.Contains("keda.sh/v1alpha1/ScaledJob", error.Message);
    }
}
