using System.Security.Claims;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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
/// returned), re-queueing one message to the queue it failed on, or discarding it. What an operator does is logged as
/// an audit line with who did it. A re-queued message is consumed like any other: the inbox applies it once.
/// </summary>
public sealed class FailedMessages(Uri broker, string apiPrefix, IEndpointNameFormatter formatter, IEnumerable<ConsumerQueue> queues, ILogger<FailedMessages> logger)
{
    /// <summary>The service's API prefix (<c>/api/enrolment</c>) the operator endpoints are mapped under.</summary>
    public string ApiPrefix => apiPrefix;

    public const int PeekLimit = 50;
    /// <summary>How many messages of one error queue are looked through to find one by id.</summary>
    public const int SearchLimit = 10_000;

    private IEnumerable<string> Queues => queues.Select(q => q.Name(formatter)).Distinct();

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
        return result;
    }

    /// <summary>Moves the message back to the queue it failed on; false when no error queue holds it.</summary>
    public Task<bool> RequeueAsync(string messageId, ClaimsPrincipal operatorUser, CancellationToken ct) =>
        TakeAsync(messageId, requeue: true, operatorUser, ct);

    /// <summary>Drops the message for good; false when no error queue holds it.</summary>
    public Task<bool> DiscardAsync(string messageId, ClaimsPrincipal operatorUser, CancellationToken ct) =>
        TakeAsync(messageId, requeue: false, operatorUser, ct);

    private async Task<bool> TakeAsync(string messageId, bool requeue, ClaimsPrincipal operatorUser, CancellationToken ct)
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
                if (requeue)
                {
                    // Confirmed by the broker before the error queue lets go of it: the message is never in neither.
                    var properties = new BasicProperties(got.BasicProperties);
                    await channel.BasicPublishAsync("", queue, mandatory: true, properties, got.Body.ToArray(), ct);
                }
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
                logger.LogWarning("Audit: {Operator} ({OperatorId}) {Action} failed message {MessageId} ({MessageType}, failed with \"{Reason}\") from {ErrorQueue}",
                    operatorUser.FindFirstValue("name") ?? operatorUser.FindFirstValue(ClaimTypes.Name) ?? "unknown",
                    operatorUser.FindFirstValue("sub") ?? operatorUser.FindFirstValue(ClaimTypes.NameIdentifier),
                    requeue ? "re-queued to " + queue : "discarded", messageId, failed.MessageType, failed.Reason, errorQueue);
                return true;
            }
        }
        return false;
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
        api.MapPost("/{messageId}/requeue", async (string messageId, FailedMessages failed, ClaimsPrincipal user, CancellationToken ct) =>
                await failed.RequeueAsync(messageId, user, ct) ? Results.NoContent() : NotFound(messageId))
            .WithName("RequeueFailedMessage").WithSummary("Move a failed message back to the queue it failed on (applied once: the inbox)");
        api.MapDelete("/{messageId}", async (string messageId, FailedMessages failed, ClaimsPrincipal user, CancellationToken ct) =>
                await failed.DiscardAsync(messageId, user, ct) ? Results.NoContent() : NotFound(messageId))
            .WithName("DiscardFailedMessage").WithSummary("Drop a failed message for good");
        return api;
    }

    private static IResult NotFound(string messageId) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such failed message.",
            detail: $"No error queue of this service holds message {messageId}; it may have been re-queued or discarded already.");
}
