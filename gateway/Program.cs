using LmsPlatform.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults();
app.MapReverseProxy();
app.MapDefaultEndpoints();
app.Run();
