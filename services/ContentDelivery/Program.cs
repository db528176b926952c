using LmsPlatform.ContentDelivery.Apis;
using LmsPlatform.ContentDelivery.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
// xAPI 1.0.3's form-post requests become ordinary ones before routing picks their endpoint.
app.UseXapiAlternateRequests();
app.UseRouting();
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
