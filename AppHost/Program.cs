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

var run = app.RunAsync(stopping.Token);
await StatusView.ShowAsync(app, app.GetResource(ResourceNames.Gateway), run, stopping.Token);
await run;
Console.WriteLine("Stopped every resource.");
