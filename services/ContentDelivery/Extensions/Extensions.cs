using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.ContentDelivery.Apis;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Application.Xapi;
using LmsPlatform.ContentDelivery.Infrastructure.Xapi;
using LmsPlatform.ContentDelivery.Consumers;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;

namespace LmsPlatform.ContentDelivery.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<ContentDbContext>(ResourceNames.ContentDb);
        builder.AddEventBus<ContentDbContext>(LmsPlatform.Contracts.ResourceNames.Bus.Content, bus =>
        {
            bus.AddIdempotentConsumer<CoursePublishedConsumer>();
            bus.AddIdempotentConsumer<EnrolledConsumer>();
            bus.AddIdempotentConsumer<EnrolmentMigratedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentWithdrawnConsumer>();
            bus.AddIdempotentConsumer<EnrolmentResetConsumer>();
            bus.AddIdempotentConsumer<UserErasedConsumer>();
        });
        builder.Services.Configure<RuntimeOptions>(builder.Configuration.GetSection("Content:Runtime"));
        builder.Services.AddSingleton<RuntimeTokens>();
        builder.Services.AddScoped<Launches>();
        builder.Services.AddScoped<LaunchProblems>();
        LaunchProblems.AddContentChecks(builder.Services);
        builder.Services.Configure<PackageOptions>(builder.Configuration.GetSection("Content:Packages"));
        // A download of up to a gigabyte: no retries or attempt timeouts of the defaults, one long overall timeout.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: the one way to opt a client out of ConfigureHttpClientDefaults' handlers
        builder.Services.AddHttpClient<PackageFetcher>(PackageFetcher.ClientName, client => client.Timeout = TimeSpan.FromMinutes(10))
            .RemoveAllResilienceHandlers()
            .ConfigurePrimaryHttpMessageHandler(services => PackageFetcher.Handler(services.GetRequiredService<IOptions<PackageOptions>>().Value.AllowPrivateImportAddresses));
#pragma warning restore EXTEXP0001
        builder.Services.Configure<ObjectStoreOptions>(builder.Configuration.GetSection("Content:Storage"));
        builder.Services.AddSingleton<IObjectStore>(services =>
        {
            var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ObjectStoreOptions>>().Value;
            return options.Kind.ToLowerInvariant() switch
            {
                "local" => new LocalObjectStore(options.Root ?? Path.Combine(AppContext.BaseDirectory, "content-store")),
                "s3" => new S3ObjectStore(options),
                var kind => throw new InvalidOperationException($"Content:Storage:Kind '{kind}' is not a store this service has (local, s3)."),
            };
        });
        builder.Services.AddScoped<PackageImports>();
        builder.Services.Configure<Apis.FileUploadOptions>(builder.Configuration.GetSection("Content:Files"));
        builder.Services.AddScoped<FileUploads>();
        builder.Services.AddHostedService<UploadSweeper>();
        builder.Services.AddSingleton<IUploadScanner, TestSignatureScanner>();
        // The xAPI LRS.
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<XapiAuthentication>();
        builder.Services.AddScoped<StatementStore>();
        builder.Services.AddScoped<StatementIntake>();
        builder.Services.AddScoped<Documents>();
        builder.Services.AddScoped<IStatementObserver, StatementProgressObserver>();
        builder.Services.AddScoped<IStatementObserver, Cmi5Observer>();
        builder.Services.AddScoped<Cmi5Statements>();
        builder.Services.AddScoped<Cmi5Launches>();
        builder.Services.AddScoped<Cmi5Waivers>();
    }
}
