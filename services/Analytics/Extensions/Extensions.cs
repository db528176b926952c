using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Consumers;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Analytics.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<AnalyticsDbContext>(ResourceNames.AnalyticsDb, options => options.AddInterceptors(new ReadModelChanges()));
        builder.Services.AddHostedService<CurrentFiguresWorker>();
        builder.Services.AddAnalyticsChecks();
        builder.Services.AddHostedService<ReportScheduleWorker>();
        builder.Services.AddHostedService<ExportJobWorker>();
        builder.AddEventBus<AnalyticsDbContext>(LmsPlatform.Contracts.ResourceNames.Bus.Analytics, bus =>
        {
            // The copy of every user, kept current from each of identity's user events.
            bus.AddIdempotentConsumer<UserCreatedConsumer>();
            bus.AddIdempotentConsumer<UserUpdatedConsumer>();
            bus.AddIdempotentConsumer<UserErasedConsumer>();
            bus.AddIdempotentConsumer<OrgUnitCreatedConsumer>();
            bus.AddIdempotentConsumer<OrgUnitChangedConsumer>();
            // Who holds which role, for the scope a scheduled report runs with.
            bus.AddIdempotentConsumer<RoleAssignmentChangedConsumer>();
            // The catalogue's items, for names, categories and archiving.
            bus.AddIdempotentConsumer<CoursePublishedConsumer>();
            bus.AddIdempotentConsumer<CourseArchivedConsumer>();
            bus.AddIdempotentConsumer<CourseReplacedConsumer>();
            // Enrolment's ledger, one event type per queue, folded into each enrolment's ranges.
            bus.AddIdempotentConsumer<EnrolledConsumer>();
            bus.AddIdempotentConsumer<ProgressRecordedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentCompletedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentResetConsumer>();
            bus.AddIdempotentConsumer<DueDateChangedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentSuspendedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentResumedConsumer>();
            bus.AddIdempotentConsumer<EnrolmentWithdrawnConsumer>();
            bus.AddIdempotentConsumer<EnrolmentMigratedConsumer>();
            // A rebuild's replay, a page of one source at a time.
            bus.AddIdempotentConsumer<LedgerReplayedConsumer>();
            bus.AddIdempotentConsumer<CertificationsReplayedConsumer>();
            bus.AddIdempotentConsumer<AudienceChangesReplayedConsumer>();
            bus.AddIdempotentConsumer<PeopleReplayedConsumer>();
            bus.AddIdempotentConsumer<OrgUnitsReplayedConsumer>();
            bus.AddIdempotentConsumer<RolesReplayedConsumer>();
            bus.AddIdempotentConsumer<ImportsReplayedConsumer>();
            bus.AddIdempotentConsumer<CoursesReplayedConsumer>();
            bus.AddIdempotentConsumer<SignInsReplayedConsumer>();
            bus.AddIdempotentConsumer<PlacementsReplayedConsumer>();
            bus.AddIdempotentConsumer<EmailOutcomesReplayedConsumer>();
            bus.AddIdempotentConsumer<CertificationAchievedConsumer>();
            bus.AddIdempotentConsumer<CertificationExpiredConsumer>();
            // Every service's operations checks, for the cockpit.
            bus.AddIdempotentConsumer<ChecksTakenConsumer>();
            bus.AddIdempotentConsumer<EmailDeliveryChangedConsumer>();
            bus.AddIdempotentConsumer<AudienceMembershipChangedConsumer>();
            bus.AddIdempotentConsumer<UserSignedInConsumer>();
            bus.AddIdempotentConsumer<ImportFinishedConsumer>();
        });
    }
}
