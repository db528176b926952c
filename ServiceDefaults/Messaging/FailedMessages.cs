using System.Security.Claims;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Operations;
using LmsPlatform.Contracts.Security;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>A queue this service consumes from, named by the platform's endpoint-name formatter.</summary>
public sealed record ConsumerQueue(Func<IEndpointNameFormatter, string> Name);

/// <summary>One message in an <c>_error</c> queue, as an operator sees it.</summary>
public sealed record FailedMessage(string MessageId, string? MessageType, string? Reason, string? ExceptionType, string? FailedAt);

/// <summary>One consumer queue's <c>_error</c> queue: how many messages it holds and the first of them.</summary>
public sealed record FailedQueue(string Queue, string ErrorQueue, long Count, IReadOnlyList<FailedMessage> Messages);

/// <summary>
/// The service's <c>_error</c> queues over AMQP (the same connection string as the bus, so it works wherever the
/// service does, without the broker's management API): counts, a look at the messages (taken unacknowledged and
/// returned), re-queueing one message to the queue it failed on, or discarding it. What an operator does is audited:
/// a <see cref="FailedMessageHandled"/> event, written by the service's outbox in a transaction committed only once the
/// broker has done it, which identity records in the platform's audit log. A re-queued message is consumed like any
/// other: the inbox applies it once.
/// </summary>
public sealed class FailedMessages(
    Uri broker, string service, IEndpointNameFormatter formatter, IEnumerable<ConsumerQueue> queues,
    IServiceScopeFactory scopes, Func<IServiceProvider, IServiceDbContext> database, TimeProvider clock, ILogger<FailedMessages> logger)
{
    /// <summary>The service's API prefix (<c>/api/enrolment</c>) the operator endpoints are mapped under.</summary>
    public string ApiPrefix => "/api/" + service;

    public const int PeekLimit = 50;
    /// <summary>How many messages of one error queue are looked through to find one by id.</summary>
    public const int SearchLimit = 10_000;
    /// <summary>How long counted depths are reused by the health check and the metric (each count is a broker connection).</summary>
    public static readonly TimeSpan CountsMaxAge = TimeSpan.FromSeconds(15);

    private IEnumerable<string> Queues => queues.Select(q => q.Name(formatter)).Distinct();
    private readonly SemaphoreSlim _counting = new(1, 1);
    private (DateTimeOffset At, IReadOnlyDictionary<string, long> Counts)? _counts;

    public async Task<IReadOnlyList<FailedQueue>> ListAsync(CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var result = new List<FailedQueue>();
        foreach (var queue in Queues)
        {
            var errorQueue = queue + "_error";
            var (channel, count) = await OpenAsync(connection, errorQueue, confirms: false, ct);
            if (channel is null)
            {
                result.Add(new FailedQueue(queue, errorQueue, 0, []));
                continue;
            }
            await using var _ = channel;
            var messages = new List<FailedMessage>();
            for (var i = 0; i < Math.Min(count, PeekLimit); i++)
            {
                if (await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is not { } got) break;
                messages.Add(Describe(got));
            }
            // Closing the channel returns every message taken, unacknowledged, to the queue.
            result.Add(new FailedQueue(queue, errorQueue, count, messages));
        }
        _counts = (clock.GetUtcNow(), result.ToDictionary(q => q.ErrorQueue, q => q.Count));
        return result;
    }

    /// <summary>Each error queue's depth, counted at most every <see cref="CountsMaxAge"/>.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync(CancellationToken ct)
    {
        if (_counts is { } fresh && clock.GetUtcNow() - fresh.At < CountsMaxAge) return fresh.Counts;
        await _counting.WaitAsync(ct);
        try
        {
            if (_counts is { } counted && clock.GetUtcNow() - counted.At < CountsMaxAge) return counted.Counts;
            await using var connection = await ConnectAsync(ct);
            var counts = new Dictionary<string, long>();
            foreach (var queue in Queues)
            {
                var (channel, count) = await OpenAsync(connection, queue + "_error", confirms: false, ct);
                if (channel is not null) await channel.DisposeAsync();
                counts[queue + "_error"] = count;
            }
            _counts = (clock.GetUtcNow(), counts);
            return counts;
        }
        finally
        {
            _counting.Release();
        }
    }

    /// <summary>The depths last counted, for the metric (which may not wait on the broker); empty before the first count.</summary>
    public IReadOnlyDictionary<string, long> LastCounts => _counts?.Counts ?? new Dictionary<string, long>();

    /// <summary>Moves the message back to the queue it failed on; false when no error queue holds it.</summary>
    public Task<bool> RequeueAsync(string messageId, HttpContext operatorRequest, CancellationToken ct) =>
        TakeAsync(messageId, requeue: true, operatorRequest, ct);

    /// <summary>Drops the message for good; false when no error queue holds it.</summary>
    public Task<bool> DiscardAsync(string messageId, HttpContext operatorRequest, CancellationToken ct) =>
        TakeAsync(messageId, requeue: false, operatorRequest, ct);

    private async Task<bool> TakeAsync(string messageId, bool requeue, HttpContext operatorRequest, CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        foreach (var queue in Queues)
        {
            var errorQueue = queue + "_error";
            var (channel, _) = await OpenAsync(connection, errorQueue, confirms: true, ct);
            if (channel is null) continue;
            await using var open = channel;
            for (var i = 0; i < SearchLimit; i++)
            {
                if (await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is not { } got) break;
                if (got.BasicProperties.MessageId != messageId) continue; // returned to the queue when the channel closes
                var failed = Describe(got);
                var handled = Audit(operatorRequest, requeue, failed, errorQueue, queue);

                // The audit event is written first and committed last: an action the broker refused leaves no audit
                // entry (the transaction rolls back), and one it did is committed with its entry. The database's
                // retrying strategy may run this again (a commit that failed transiently); the broker's part runs once.
                await using var scope = scopes.CreateAsyncScope();
                var db = database(scope.ServiceProvider);
                var context = (DbContext)db;
                var done = false;
                await context.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
                {
                    context.ChangeTracker.Clear();
                    await using var transaction = await context.Database.BeginTransactionAsync(ct);
                    db.AddIntegrationEvent(handled);
                    await context.SaveChangesAsync(ct);
                    if (!done)
                    {
                        if (requeue)
                        {
                            // Confirmed by the broker before the error queue lets go of it: the message is never in neither.
                            var properties = new BasicProperties(got.BasicProperties);
                            await channel.BasicPublishAsync("", queue, mandatory: true, properties, got.Body.ToArray(), ct);
                        }
                        await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
                        done = true;
                    }
                    await transaction.CommitAsync(CancellationToken.None);
                });
                _counts = null;
                logger.LogInformation("{Operator} {Action} failed message {MessageId} ({MessageType}, failed with \"{Reason}\") from {ErrorQueue}",
                    handled.ActorName, requeue ? "re-queued to " + queue : "discarded", messageId, failed.MessageType, failed.Reason, errorQueue);
                return true;
            }
        }
        return false;
    }

    private FailedMessageHandled Audit(HttpContext request, bool requeue, FailedMessage failed, string errorQueue, string queue)
    {
        var user = request.User;
        var id = user.FindFirstValue("sub");
        return new FailedMessageHandled(Guid.CreateVersion7(), service, requeue ? "requeued" : "discarded", failed.MessageId,
            failed.MessageType, failed.Reason, errorQueue, requeue ? queue : null, id,
            user.FindFirstValue("email") ?? user.FindFirstValue("name") ?? user.FindFirstValue("client_id") ?? id ?? "unknown",
            request.Connection.RemoteIpAddress?.ToString(), clock.GetUtcNow());
    }

    /// <summary>
    /// A channel on the error queue and its depth; no channel when the queue does not exist (nothing ever failed there:
    /// MassTransit creates it with the first fault). <paramref name="confirms"/>: the broker confirms what is published on it.
    /// </summary>
    private static async Task<(IChannel? Channel, uint Count)> OpenAsync(IConnection connection, string errorQueue, bool confirms, CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(
            confirms ? new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true) : null, ct);
        try
        {
            return (channel, (await channel.QueueDeclarePassiveAsync(errorQueue, ct)).MessageCount);
        }
        catch (OperationInterruptedException)
        {
            await channel.DisposeAsync();
            return (null, 0);
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct) =>
        await new ConnectionFactory { Uri = broker, ClientProvidedName = "failed-messages" }.CreateConnectionAsync(ct);

    private static FailedMessage Describe(BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers;
        string? Header(string name) => headers?.TryGetValue(name, out var value) == true
            ? value switch { byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes), null => null, _ => value.ToString() }
            : null;
        string? type = null;
        try
        {
            using var body = JsonDocument.Parse(got.Body);
            if (body.RootElement.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0)
                type = types[0].GetString();
        }
        catch (JsonException) { }
        return new FailedMessage(got.BasicProperties.MessageId ?? "", type, Header("MT-Fault-Message"), Header("MT-Fault-ExceptionType"), Header("MT-Fault-Timestamp"));
    }
}

public static class FailedMessagesApi
{
    /// <summary>
    /// <c>GET {prefix}/operations/failed-messages</c>, <c>POST .../{messageId}/requeue</c> and
    /// <c>DELETE .../{messageId}</c>, for operators (<see cref="Permissions.OperationsManage"/>).
    /// </summary>
    public static RouteGroupBuilder MapFailedMessages(this IEndpointRouteBuilder app, string prefix)
    {
        var api = app.MapGroup(prefix + "/operations/failed-messages").WithTags("Operations").RequireAuthorization(Permissions.OperationsManage);
        api.MapGet("", async (FailedMessages failed, CancellationToken ct) => Results.Ok(await failed.ListAsync(ct)))
            .WithName("ListFailedMessages").WithSummary("This service's _error queues: counts and the first messages with why they failed");
        api.MapPost("/{messageId}/requeue", async (string messageId, FailedMessages failed, HttpContext request, CancellationToken ct) =>
                await failed.RequeueAsync(messageId, request, ct) ? Results.NoContent() : NotFound(messageId))
            .WithName("RequeueFailedMessage").WithSummary("Move a failed message back to the queue it failed on (applied once: the inbox)");
        api.MapDelete("/{messageId}", async (string messageId, FailedMessages failed, HttpContext request, CancellationToken ct) =>
                await failed.DiscardAsync(messageId, request, ct) ? Results.NoContent() : NotFound(messageId))
            .WithName("DiscardFailedMessage").WithSummary("Drop a failed message for good");
        return api;
    }

    private static IResult NotFound(string messageId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such failed message.",
            detail: $"No error queue of this service holds message {messageId}; it may have been re-queued or discarded already.");
}

/// <summary>
/// How many messages wait in the service's <c>_error</c> queues, on its health report (and through it the gateway's).
/// Failed messages are for a person to look at, not a reason to take the service out of rotation: the check is Healthy
/// with the counts in its description and data, and says so when the broker cannot be asked (the bus check reports that).
/// </summary>
public sealed class FailedMessagesHealthCheck(FailedMessages failed) : IHealthCheck
{
    public const string Name = "failed-messages";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var counts = await failed.CountsAsync(cancellationToken);
            var waiting = counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
            var total = waiting.Sum(c => c.Value);
            return HealthCheckResult.Healthy(
                total == 0 ? "no failed messages" : $"{total} failed message{(total == 1 ? "" : "s")}: " + string.Join(", ", waiting.Select(c => $"{c.Key} {c.Value}")),
                counts.ToDictionary(c => c.Key, c => (object)c.Value));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Healthy($"failed messages not counted: {ex.GetBaseException().Message}");
        }
    }
}
