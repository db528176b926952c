using System.Net;
using LmsPlatform.ContentDelivery.Infrastructure;

namespace LmsPlatform.UnitTests;

/// <summary>A package named by URL is fetched only from the public internet: never from the network the platform sits in.</summary>
public class PackageFetcherTests
{
    [Theory]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.5", false)]
    [InlineData("172.32.0.5", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)] // cloud metadata
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:93.184.216.34", true)]
    public void Only_public_addresses_are_fetched_from(string address, bool expected) =>
        Assert.Equal(expected, PackageFetcher.IsPublic(IPAddress.Parse(address)));
}
