using OpenIddict.Abstractions;

namespace LmsPlatform.Identity.Infrastructure;

/// <summary>
/// Every issued token leaves a row in OpenIddict's token table (so that refresh tokens can be revoked); without pruning
/// the table grows with every client-credentials call. Once an hour, tokens and authorizations that expired or were
/// revoked more than a day ago are deleted. Safe with several replicas: a prune deletes what is there.
/// </summary>
public sealed class TokenPruning(IServiceProvider services, ILogger<TokenPruning> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var threshold = DateTimeOffset.UtcNow.AddDays(-1);
                var tokens = await scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, stoppingToken);
                var authorizations = await scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, stoppingToken);
                if (tokens + authorizations > 0) logger.LogInformation("Pruned {Tokens} tokens and {Authorizations} authorizations", tokens, authorizations);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Token pruning failed; it runs again in an hour");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
