using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.Contracts;
using LmsPlatform.Notification.Consumers;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Notification.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<NotificationDbContext>(ResourceNames.NotificationDb);
        builder.AddEventBus<NotificationDbContext>("notification", bus =>
        {
            // The copy of every user, kept current from each of identity's user events.
            bus.AddIdempotentConsumer<UserCreatedConsumer>();
            bus.AddIdempotentConsumer<UserUpdatedConsumer>();
            bus.AddIdempotentConsumer<UserDeactivatedConsumer>();
            bus.AddIdempotentConsumer<UserReactivatedConsumer>();
            bus.AddIdempotentConsumer<UserErasedConsumer>();
            // Links to an account: invitations and password resets.
            bus.AddIdempotentConsumer<UserInvitedConsumer>();
            bus.AddIdempotentConsumer<PasswordResetRequestedConsumer>();
        });
    }
}
