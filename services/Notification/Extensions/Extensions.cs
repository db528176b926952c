using LmsPlatform.Contracts;
using LmsPlatform.Notification.Consumers;
using LmsPlatform.Notification.Delivery;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;

namespace LmsPlatform.Notification.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<NotificationDbContext>(ResourceNames.NotificationDb);
        builder.Services.Configure<NotificationOptions>(builder.Configuration.GetSection("Notification"));
        builder.Services.AddSingleton<Unsubscribe>();
        builder.Services.AddScoped<Notifier>();

        // Mail: the relay from the connection string, the rest from Notification:Mail; the senders run in every replica.
        var mail = new MailOptions();
        builder.Configuration.GetSection("Notification:Mail").Bind(mail);
        mail.ApplyConnectionString(builder.Configuration.GetConnectionString(ResourceNames.Mail));
        mail.Validate();
        builder.Services.AddSingleton(mail);
        builder.Services.AddHostedService<EmailDispatcher>();
        builder.Services.AddHostedService<ReminderScheduler>();

        builder.Services.AddNotificationChecks();
        builder.AddEventBus<NotificationDbContext>(LmsPlatform.Contracts.ResourceNames.Bus.Notification, bus =>
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
            // Course and path titles, for the messages that name them.
            bus.AddIdempotentConsumer<CoursePublishedConsumer>();
            bus.AddIdempotentConsumer<LearningPathPublishedConsumer>();
            // Learning: assignments, overdue, certifications, certificates, approvals.
            bus.AddIdempotentConsumer<EnrolledConsumer>();
            bus.AddIdempotentConsumer<BecameOverdueConsumer>();
            bus.AddIdempotentConsumer<CertificationWindowOpenedConsumer>();
            bus.AddIdempotentConsumer<CertificationExpiredConsumer>();
            bus.AddIdempotentConsumer<CertificateIssuedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentRequestedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentRequestDecidedConsumer>();
            // Reports someone scheduled, from analytics.
            bus.AddIdempotentConsumer<ScheduledReportReadyConsumer>();
            // The copy of enrolments that reminders and escalations follow.
            bus.AddIdempotentConsumer<DueDateChangedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentCompletedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentWithdrawnConsumer>();
            bus.AddIdempotentConsumer<EnrolmentSuspendedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentResumedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentResetConsumer>();
            bus.AddIdempotentConsumer<ReplayRequestedConsumer>();
        });
        builder.AddReplays<NotificationDbContext>(typeof(EmailOutcomeReplaySource));
    }
}
