using Microsoft.Extensions.Configuration;

namespace LmsPlatform.Hosting;

internal static class ConfigurationExtensions
{
    public static string? GetConnectionStringOrNull(this IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value ? value : null;
}
