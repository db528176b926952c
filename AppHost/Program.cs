using LmsPlatform.AppHost;
using LmsPlatform.Contracts;
using LmsPlatform.Hosting;

var builder = DistributedApplication.CreateBuilder(args);
builder.AddLmsPlatform();

await using var app = builder.Build();
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });

var firstStart = !app.Context.HasSecret(LmsTopology.AdminPasswordSecret);
var run = app.RunAsync(stopping.Token);
// The first administrator's password is shown on the start that created it, and never again.
await StatusView.ShowAsync(app, app.GetResource(ResourceNames.Gateway), run, stopping.Token, () => firstStart
    ? $"Sign in at {app.GetResource(ResourceNames.Gateway).Url}/account/login as {LmsTopology.AdminEmail} with password {app.Context.Secret(LmsTopology.AdminPasswordSecret)} (shown once; kept in {app.Context.DataDirectory}/secrets)"
    : null);
await run;
Console.WriteLine("Stopped every resource.");
