using LmsPlatform.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();
builder.AddAuthRateLimits();

var app = builder.Build();
// The edge: X-Forwarded-* only from the ingress in front of it (Gateway:TrustedNetworks, e.g. "10.0.0.0/8"), never from
// a client, or a caller could write any address into the audit log.
app.UseServiceDefaults(guardText: false, forwardedFrom: (app.Configuration["Gateway:TrustedNetworks"] ?? "")
    .Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries).Select(System.Net.IPNetwork.Parse).ToList());
app.UseAuthRateLimits();
app.MapGateway();
app.MapDefaultEndpoints(degradedIsReady: true);
app.Run();
