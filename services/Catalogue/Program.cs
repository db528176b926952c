using LmsPlatform.Catalogue.Apis;
using LmsPlatform.Catalogue.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapCoursesApi();
app.MapDefaultEndpoints();
app.Run();
