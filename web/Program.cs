using LmsPlatform.Portal.Extensions;

var builder = WebApplication.CreateBuilder(args);
// Radzen's and Blazor's files come from the static web assets manifest when the portal runs from its build folder.
builder.WebHost.UseStaticWebAssets();
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UsePortal();
app.MapPortal();
app.MapDefaultEndpoints();
app.Run();
