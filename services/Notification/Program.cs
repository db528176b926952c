using LmsPlatform.Notification.Apis;
using LmsPlatform.Notification.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapNotificationsApi();
app.MapInboxApi();
app.MapPreferencesApi();
app.MapTemplatesApi();
app.MapDeliveriesApi();
app.MapPoliciesApi();
app.MapDefaultEndpoints();
app.Run();
