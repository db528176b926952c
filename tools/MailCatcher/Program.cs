using LmsPlatform.MailCatcher;

// A real SMTP server that keeps every mail it receives, with a page to read them and an API to count them: the
// platform's outgoing mail in `./lms run` (shown in the Aspire dashboard) and in the tests. Never for production.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton<MailStore>();
builder.Services.AddHostedService<SmtpListener>();
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapMailPages();
app.MapHealthChecks("/health");
app.MapHealthChecks("/alive");
app.Run();
