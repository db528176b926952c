using LmsPlatform.Enrolment.Apis;
using LmsPlatform.Enrolment.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.MapEnrolmentsApi();
app.MapAudiencesApi();
app.MapCertificatesApi();
app.MapTeamApi();
app.MapRequestsApi();
app.MapPathsApi();
app.MapEnrolmentImportsApi();
app.MapDefaultEndpoints();
app.Run();
