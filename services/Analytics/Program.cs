using LmsPlatform.Analytics.Apis;
using LmsPlatform.Analytics.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapAnalyticsApi();
app.MapReportsApi();
app.MapOperationsApi();
app.MapSchedulesApi();
app.MapExportsApi();
app.MapDefaultEndpoints();
app.Run();
