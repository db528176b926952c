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
    [InlineData("64:ff9b::a00:1", false)] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::5db8:d822", true)] // NAT64 of 93.184.216.34
    [InlineData("2002:a9fe:a9fe::1", false)] // 6to4 of 169.254.169.254
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", false)] // Teredo of 10.0.0.1
    [InlineData("::a00:1", false)] // IPv4-compatible 10.0.0.1
    [InlineData("100::1", false)] // discard-only
    public void Only_public_addresses_are_fetched_from(string address, bool expected) =>
        Assert.Equal(expected, PackageFetcher.IsPublic(IPAddress.Parse(address)));
}
