using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.Contracts;
using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Consumers;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.DataProtection;

namespace LmsPlatform.Enrolment.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation();
        builder.AddServiceDatabase<EnrolmentDbContext>(ResourceNames.EnrolmentDb);
        builder.Services.AddScoped<Assignments>();
        builder.Services.AddScoped<SelfEnrolments>();
        builder.Services.AddScoped<PathAssignments>();
        builder.Services.AddScoped<EnrolmentImports>();
        builder.Services.Configure<EnrolmentImportOptions>(builder.Configuration.GetSection("EnrolmentImports"));
        builder.Services.AddHostedService<EnrolmentImportWorker>();
        builder.Services.AddScoped<AudienceRules>();
        builder.Services.AddScoped<AudienceSync>();
        builder.Services.Configure<AudienceOptions>(builder.Configuration.GetSection("Audiences"));
        builder.Services.AddHostedService<AudienceWorker>();
        builder.Services.AddScoped<FollowUps>();
        builder.Services.Configure<FollowUpOptions>(builder.Configuration.GetSection("FollowUps"));
        builder.Services.AddHostedService<FollowUpWorker>();
        // What analytics' rebuild asks for again: the ledger, the certification cycles and the audiences' membership history.
        builder.AddReplays<EnrolmentDbContext>(typeof(LedgerReplaySource), typeof(CertificationReplaySource), typeof(AudienceChangeReplaySource));
        // Certificates: the credential signing key is protected at rest with data-protection keys kept in the database.
        builder.Services.AddDataProtection().SetApplicationName("lms-enrolment").PersistKeysToDbContext<EnrolmentDbContext>();
        builder.Services.Configure<CertificateOptions>(builder.Configuration.GetSection("Certificates"));
        builder.Services.AddSingleton<CertificateLinks>();
        builder.Services.AddSingleton<CredentialSigner>();
        builder.Services.AddEnrolmentChecks();
        builder.AddEventBus<EnrolmentDbContext>(LmsPlatform.Contracts.ResourceNames.Bus.Enrolment, bus =>
        {
            // The copy of every user, kept current from each of identity's user events.
            // A read model rebuilding itself asks for the records again.
            bus.AddIdempotentConsumer<ReplayRequestedConsumer>();
            bus.AddIdempotentConsumer<UserCreatedConsumer>();
            bus.AddIdempotentConsumer<UserUpdatedConsumer>();
            bus.AddIdempotentConsumer<UserDeactivatedConsumer>();
            bus.AddIdempotentConsumer<UserReactivatedConsumer>();
            bus.AddIdempotentConsumer<UserErasedConsumer>();
            // What audience rules ask about: the org tree and roles.
            bus.AddIdempotentConsumer<OrgUnitCreatedConsumer>();
            bus.AddIdempotentConsumer<OrgUnitChangedConsumer>();
            bus.AddIdempotentConsumer<RoleAssignmentChangedConsumer>();
            // The courses new enrolments may be made on.
            bus.AddIdempotentConsumer<CoursePublishedConsumer>();
            bus.AddIdempotentConsumer<ActivityProgressRecordedConsumer>();
            bus.AddIdempotentConsumer<CourseArchivedConsumer>();
            bus.AddIdempotentConsumer<PrerequisitesChangedConsumer>();
            bus.AddIdempotentConsumer<LearningPathPublishedConsumer>();
            bus.AddIdempotentConsumer<LearningPathArchivedConsumer>();
        });
    }
}
