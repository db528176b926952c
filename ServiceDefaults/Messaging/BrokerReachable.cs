using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Holds the start of the bus until the broker accepts connections (polling its port every 250 ms, for at most
/// <see cref="MaxWait"/>). MassTransit retries a failed first connection with a growing delay (seconds, then tens of
/// seconds), so a service that starts while RabbitMQ is still booting would otherwise wait far longer than the broker
/// needs. Registered before MassTransit's hosted service, it runs after migrations and before the bus starts; after
/// <see cref="MaxWait"/> the bus starts anyway and MassTransit's own retries take over.
/// </summary>
public sealed class BrokerReachable(Uri broker, ILogger<BrokerReachable> logger) : IHostedService
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var port = broker.Port > 0 ? broker.Port : 5672;
        var logged = false;
        while (clock.Elapsed < MaxWait && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(broker.Host, port, attempt.Token);
                if (logged) logger.LogInformation("The broker at {Host}:{Port} answers after {Seconds:0.0} s", broker.Host, port, clock.Elapsed.TotalSeconds);
                return;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (!logged) logger.LogInformation("Waiting for the broker at {Host}:{Port} before starting the bus", broker.Host, port);
                logged = true;
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        logger.LogWarning("The broker at {Host}:{Port} did not answer within {Seconds} s; the bus starts anyway and keeps retrying", broker.Host, port, MaxWait.TotalSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
