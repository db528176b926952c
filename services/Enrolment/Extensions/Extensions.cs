using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.Contracts;
using LmsPlatform.Enrolment.Consumers;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Enrolment.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<EnrolmentDbContext>(ResourceNames.EnrolmentDb);
        builder.AddEventBus<EnrolmentDbContext>("enrolment", bus => bus.AddIdempotentConsumer<UserCreatedConsumer>());
    }
}
