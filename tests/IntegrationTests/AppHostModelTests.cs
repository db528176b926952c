using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using LmsPlatform.AppHost;
using LmsPlatform.AppHost.Servers;
using LmsPlatform.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace LmsPlatform.IntegrationTests;

/// <summary>The AppHost's model, built and inspected without starting anything.</summary>
public class AppHostModelTests
{
    [Fact]
    public async Task Existing_servers_given_by_connection_string_replace_the_ones_the_apphost_would_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "lms-model-" + Guid.NewGuid().ToString("N")[..8]);
        const string postgres = "Host=db.example.org;Port=5432;Username=lms;Password=from-the-vault";
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(
        [
            $"--{PlatformData.DirectoryKey}={data}", $"--{PlatformData.ThrowawayKey}=true",
            $"--ConnectionStrings:postgres={postgres}",
            "--ConnectionStrings:eventbus=amqp://lms:secret@mq.example.org:5672",
            "--ConnectionStrings:redis=cache.example.org:6379,password=secret",
        ]);
        await using var app = await builder.BuildAsync();
        try
        {
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            foreach (var server in new[] { ResourceNames.Postgres, ResourceNames.EventBus, ResourceNames.Redis })
            {
                var resource = model.Resources.Single(r => r.Name == server);
                Assert.IsNotType<ExecutableResource>(resource, exactMatch: false); // nothing is started for it
                Assert.IsAssignableFrom<IResourceWithConnectionString>(resource);
            }
            Assert.DoesNotContain(model.Resources, r => r.Name == $"{ResourceNames.EventBus}-epmd");

            // Each service database lives on the given server.
            var identityDb = model.Resources.OfType<PostgresDatabaseResource>().Single(r => r.Name == ResourceNames.IdentityDb);
            Assert.Equal($"{postgres};Database={ResourceNames.IdentityDb}", await ((IResourceWithConnectionString)identityDb).GetConnectionStringAsync(CancellationToken.None));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
