using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Catalogue.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<CatalogueDbContext>(ResourceNames.CatalogueDb);
        builder.AddEventBus<CatalogueDbContext>("catalogue");
        builder.AddRedisCache(ResourceNames.Redis);
    }
}
