using LmsPlatform.Identity.Apis;
using LmsPlatform.Identity.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapUsersApi();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
