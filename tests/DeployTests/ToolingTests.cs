namespace LmsPlatform.DeployTests;

public class ToolingTests
{
    /// <summary>Without kubectl nothing in deploy/ can be checked: that is a failure with its reason, never a skip.</summary>
    [Fact]
    public void KubectlIsInstalled() => Assert.True(File.Exists(Kustomize.Kubectl));

    /// <summary>The theories run on the base and every overlay found; the overlay-specific tests expect these two.</summary>
    [Fact]
    public void TheBaseAndBothOverlaysAreFound()
    {
        var found = DeployFolder.Kustomizations();
        Assert.Contains(DeployFolder.Base, found);
        Assert.Contains(DeployFolder.Dev, found);
        Assert.Contains(DeployFolder.Production, found);
    }
}
