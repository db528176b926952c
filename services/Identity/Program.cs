using LmsPlatform.Identity.Apis;
using LmsPlatform.Identity.Auth;
using LmsPlatform.Identity.Extensions;
using LmsPlatform.Identity.Scim;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.UseScimErrors();
app.UseAntiforgery();
app.MapConnectEndpoints();
app.MapAccountPages();
app.MapUsersApi();
app.MapOrgUnitsApi();
app.MapRoleAssignmentsApi();
app.MapClientsApi();
app.MapAuditApi();
app.MapImportsApi();
app.MapChecksApi();
app.MapMeApi();
app.MapScimApi();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
