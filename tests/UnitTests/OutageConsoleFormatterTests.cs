using LmsPlatform.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LmsPlatform.UnitTests;

public class OutageConsoleFormatterTests
{
    private static string Write(LogLevel level, string message, Exception? exception)
    {
        using var writer = new StringWriter();
        new OutageConsoleFormatter().Write(new LogEntry<string>(level, "MassTransit", new EventId(7), message, exception, (s, _) => s), null, writer);
        return writer.ToString();
    }

    private static Exception Thrown(Exception exception)
    {
        try { throw exception; }
        catch (Exception caught) { return caught; }
    }

    [Fact]
    public void An_outage_is_one_line_without_a_stack_trace()
    {
        var unreachable = Thrown(new RabbitMQ.Client.Exceptions.BrokerUnreachableException(
            Thrown(new IOException("connection.start was never received", new System.Net.Sockets.SocketException(104)))));
        var lines = Write(LogLevel.Warning, "Connection Failed: rabbitmq://127.0.0.1:5672/", unreachable).TrimEnd().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("warn: MassTransit[7]", lines[0]);
        Assert.Equal("      Connection Failed: rabbitmq://127.0.0.1:5672/", lines[1]);
        Assert.StartsWith("      RabbitMQ.Client.Exceptions.BrokerUnreachableException: ", lines[2]);
        Assert.Contains("an outage", lines[2]);
        Assert.DoesNotContain(" at ", lines[2]);
    }

    [Fact]
    public void Any_other_exception_keeps_its_stack_trace()
    {
        var text = Write(LogLevel.Error, "Consume failed", Thrown(new InvalidOperationException("a wrong message")));
        Assert.StartsWith("fail: MassTransit[7]", text);
        Assert.Contains("System.InvalidOperationException: a wrong message", text);
        Assert.Contains("   at LmsPlatform.UnitTests.OutageConsoleFormatterTests.Thrown", text);
    }
}
