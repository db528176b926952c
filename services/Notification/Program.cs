using LmsPlatform.Notification.Apis;
using LmsPlatform.Notification.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapNotificationsApi();
app.MapDefaultEndpoints();
app.Run();
