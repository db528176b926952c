using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.ContentDelivery.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<ContentDbContext>(ResourceNames.ContentDb);
        builder.AddEventBus<ContentDbContext>("content");
    }
}
