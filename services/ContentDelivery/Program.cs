using LmsPlatform.ContentDelivery.Apis;
using LmsPlatform.ContentDelivery.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapContentItemsApi();
app.MapPackagesApi();
app.MapRuntimeApi();
app.MapResumableUploadsApi();
app.MapXapiApi();
app.MapXapiClientsApi();
app.MapCmi5Api();
app.MapDefaultEndpoints();
app.Run();
