using LmsPlatform.Contracts.Identity;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Enrolment.Consumers;

// The learner copies that enrolments are checked against (and audience rules will stand on), one queue per event.
public sealed class UserCreatedConsumer(EnrolmentDbContext db) : PersonCopyConsumer<UserCreated, EnrolmentDbContext, Learner>(db);
public sealed class UserUpdatedConsumer(EnrolmentDbContext db) : PersonCopyConsumer<UserUpdated, EnrolmentDbContext, Learner>(db);
public sealed class UserDeactivatedConsumer(EnrolmentDbContext db) : PersonCopyConsumer<UserDeactivated, EnrolmentDbContext, Learner>(db);
public sealed class UserReactivatedConsumer(EnrolmentDbContext db) : PersonCopyConsumer<UserReactivated, EnrolmentDbContext, Learner>(db);
public sealed class UserErasedConsumer(EnrolmentDbContext db) : PersonCopyConsumer<UserErased, EnrolmentDbContext, Learner>(db);
