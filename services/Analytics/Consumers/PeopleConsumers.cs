using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Analytics.Consumers;

// The people of the reporting read model (org unit, manager, status), one queue per event.
public sealed class UserCreatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserCreated, AnalyticsDbContext, UserFact>(db);
public sealed class UserUpdatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserUpdated, AnalyticsDbContext, UserFact>(db);
public sealed class UserDeactivatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserDeactivated, AnalyticsDbContext, UserFact>(db);
public sealed class UserReactivatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserReactivated, AnalyticsDbContext, UserFact>(db);
public sealed class UserErasedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserErased, AnalyticsDbContext, UserFact>(db);
