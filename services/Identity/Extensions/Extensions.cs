using LmsPlatform.Contracts;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Identity.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IdentityDbContext>(ResourceNames.IdentityDb);
        builder.AddEventBus<IdentityDbContext>("identity");
    }
}
