using LmsPlatform.Catalogue.Apis;
using LmsPlatform.Catalogue.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapCoursesApi();
app.MapLearningPathsApi();
app.MapCategoriesApi();
app.MapSearchApi();
app.MapDefaultEndpoints();
app.Run();
