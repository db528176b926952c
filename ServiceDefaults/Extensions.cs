using System.Diagnostics;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Logging;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service of the platform sets up the same way: telemetry, health, service discovery, resilient HTTP
/// clients, ProblemDetails and OpenAPI. Databases, the event bus and Redis are added by the service
/// (<c>AddServiceDatabase</c>, <c>AddEventBus</c>, <c>AddRedisCache</c>) because not every service uses each.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        // One wire format for enumerations: they are sent and read as names ("Content"), never as numbers; reading is
        // case-insensitive, as every request validator's parsing is.
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier);
            if (context.Exception is BadHttpRequestException bad)
            {
                context.ProblemDetails.Status = bad.StatusCode;
                context.ProblemDetails.Title = "The request could not be read.";
                context.ProblemDetails.Detail = bad.InnerException is System.Text.Json.JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
            }
            // A rule an aggregate refused: the same shape as a door's own 400 or 409, naming the field.
            if (context.Exception is LmsPlatform.ServiceDefaults.Domain.DomainRuleException rule)
            {
                context.ProblemDetails.Status = rule.IsConflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
                context.ProblemDetails.Title = rule.IsConflict ? "Conflict" : "One or more validation errors occurred.";
                context.ProblemDetails.Detail = rule.IsConflict ? rule.Message : $"{rule.Field} {rule.Message}";
                context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [rule.Field] = [rule.Message] };
            }
        });
        // Malformed bodies and parameters become exceptions, which the exception handler turns into a 400
        // ProblemDetails that says what was wrong (in every environment, not only Development).
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityTransformer>());
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Every SQL statement at Information level floods the log (a bulk import writes megabytes of INSERTs) and
        // costs more CPU than the statements; failed commands are still logged as errors. Configuration can lower it.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // Likewise the four to six lines ASP.NET Core and YARP write for every request: at catalogue-search rates they
        // cost more than the request. Traces and metrics record every request anyway.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        // And the four lines HttpClient writes per outgoing request (the gateway's health probes of every service, every
        // few seconds): traces record them.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // The resilience handler writes two lines per call that was neither retried nor broken (the portal makes
        // several per page); retries and open circuits are warnings and stay.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // The Redis client's connection handshake is about 60 Information lines at each start and reconnect.
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        // A failing check is logged at Error on every probe (every few seconds while a dependency starts or is away):
        // noise that buries real errors. Health is read where it belongs: /health and the dashboard's health column.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        // While the database is away EF logs each failed connection with a stack trace (every health probe and retry)
        // and each retry it schedules: thousands of lines in a few minutes. The outage is logged once per pause by
        // whoever waits for it (Outage), and health says it; a failed command is still logged as an error.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Infrastructure", LogLevel.Warning);
        // While the broker is away MassTransit logs, per receive endpoint and backoff step (5 s growing to about 35 s),
        // a warning and an information line with a full stack trace ("Retrying ..."). The warning says it all; the
        // bus's state is in /health. Measured: 1,707 lines in three minutes from catalogue alone (ADR 0007).
        builder.Logging.AddFilter("MassTransit", LogLevel.Warning);
        // What is left of an outage on the console is one line per attempt, without the stack trace.
        builder.Logging.AddConsole(options => options.FormatterName = OutageConsoleFormatter.FormatterName)
            .AddConsoleFormatter<OutageConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(MessagingTelemetry.MeterName))
            .WithTracing(tracing => tracing
                .AddProcessor(new BackgroundDatabaseSpanFilter())
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit")
                .AddSource(MessagingTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                                                && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        // Exporters only when a collector is configured (Aspire's contract).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<LoopHeartbeats>();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<LoopHeartbeats>("loops", HealthStatus.Unhealthy, [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every check: database, broker, cache) and <c>/alive</c> (liveness: the process
    /// answers), always, since Kubernetes probes and the launcher both use them; the OpenAPI document; and the
    /// exception handler that turns failures into ProblemDetails.
    /// </summary>
    /// <param name="degradedIsReady">
    /// False for a service: Degraded (the broker connection down, say) answers 503, since a service without its
    /// database or broker cannot do its work and should take no traffic. The gateway passes true: one service down
    /// degrades it, but it still serves the others, so it stays ready and its report says which service is down.
    /// </param>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, bool degradedIsReady = false)
    {
        // Probes and the API description are open: Kubernetes and the launcher call them without a token.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = degradedIsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        // A service on the bus lets operators see and act on its failed messages.
        if (app.Services.GetService<FailedMessages>() is { } failed) app.MapFailedMessages(failed.ApiPrefix);
        return app;
    }

    /// <summary>
    /// Forwarded headers from the gateway, ProblemDetails for exceptions and bare error status codes (401 and 403
    /// included), the refusal of NUL characters in any text (<see cref="TextGuardMiddleware"/>), then authentication
    /// and authorisation when the service has them; call first in the pipeline. The gateway passes
    /// <paramref name="guardText"/> false: it streams bodies through and leaves reading them to the services.
    /// </summary>
    /// <param name="forwardedFrom">
    /// Whose X-Forwarded-* headers to believe: null (a service) believes any sender, because services are reachable only
    /// through the gateway; the gateway, the edge, passes the networks of the ingress in front of it, or none, so a
    /// client cannot name its own address for the audit log.
    /// </param>
    public static WebApplication UseServiceDefaults(this WebApplication app, bool guardText = true, IReadOnlyList<System.Net.IPNetwork>? forwardedFrom = null)
    {
        // Services are reachable only through the gateway, which sets X-Forwarded-*: the client's address (for the
        // audit log) and the public scheme and host (for redirects) come from there.
        if (forwardedFrom is null || forwardedFrom.Count > 0)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.All };
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            // Both lists empty: any sender is believed.
            foreach (var network in forwardedFrom ?? []) forwarded.KnownIPNetworks.Add(network);
            app.UseForwardedHeaders(forwarded);
        }
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = StatusCodeOf,
            // A client's mistake (malformed JSON, an oversized form) is answered with its 4xx ProblemDetails and is not an
            // error of the service: it is not logged with a stack trace. Only a 5xx is.
            SuppressDiagnosticsCallback = context => StatusCodeOf(context.Exception) < StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        if (guardText) app.UseMiddleware<TextGuardMiddleware>();
        // Services validate tokens; the gateway, which registers no authentication, only forwards.
        if (app.Services.GetService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>() is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        return app;
    }

    /// <summary>The status an exception that reached the exception handler is answered with.</summary>
    private static int StatusCodeOf(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        LmsPlatform.ServiceDefaults.Domain.DomainRuleException rule => rule.IsConflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
        // A form the form reader refuses: over its limits (FormOptions) it is too large, otherwise malformed.
        InvalidDataException e when e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) => StatusCodes.Status413PayloadTooLarge,
        InvalidDataException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };
}
