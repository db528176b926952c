using LmsPlatform.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults(guardText: false);
app.MapGateway();
app.MapDefaultEndpoints();
app.Run();
