using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Consumers;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<CatalogueDbContext>(ResourceNames.CatalogueDb, options => options.UseSnakeCaseNamingConvention());
        builder.AddEventBus<CatalogueDbContext>(LmsPlatform.Contracts.ResourceNames.Bus.Catalogue, bus =>
        {
            bus.AddIdempotentConsumer<OrgUnitCreatedConsumer>();
            bus.AddIdempotentConsumer<OrgUnitChangedConsumer>();
            bus.AddConsumer<CacheInvalidationConsumer>();
            // A read model rebuilding itself asks for the published courses again.
            bus.AddIdempotentConsumer<ReplayRequestedConsumer>();
        });
        builder.AddReplays<CatalogueDbContext>(typeof(CourseReplaySource));
        builder.AddRedisCache(ResourceNames.Redis);
        builder.Services.AddSingleton(builder.Configuration.GetSection("Catalogue:Cache").Get<CatalogueCacheOptions>() ?? new CatalogueCacheOptions());
        builder.Services.AddSingleton<CatalogueCache>();
        builder.Services.AddSingleton<CatalogueIndex>();
    }
}
