using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace LmsPlatform.ServiceDefaults.Logging;

/// <summary>
/// The services' console format: the simple format's layout (<c>warn: Category[id]</c>, then the message indented),
/// without colours, and with an outage's exception (the broker or database unreachable, see
/// <see cref="TransientFailures"/>) on one line instead of a stack trace: while a dependency is away the same
/// connection failure is logged at every backoff step, and its stack trace says nothing new. Any other exception is
/// written whole. Structured logs (OTLP, the dashboard) keep every exception as it is.
/// </summary>
public sealed class OutageConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "lms";
    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        if (!string.IsNullOrEmpty(message)) WriteIndented(textWriter, message);
        if (logEntry.Exception is { } exception)
            WriteIndented(textWriter, TransientFailures.IsTransient(exception)
                ? $"{exception.GetType().FullName}: {exception.Message} ({exception.GetBaseException().Message}; an outage: stack trace left out)"
                : exception.ToString());
    }

    private static void WriteIndented(TextWriter writer, string text)
    {
        foreach (var line in text.Split('\n'))
        {
            writer.Write(Indent);
            writer.WriteLine(line.TrimEnd('\r'));
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
