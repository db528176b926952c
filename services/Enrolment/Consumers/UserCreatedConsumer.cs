using LmsPlatform.Contracts.Identity;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace LmsPlatform.Enrolment.Consumers;

/// <summary>Keeps the learner copy that enrolments are checked against.</summary>
public sealed class UserCreatedConsumer(EnrolmentDbContext db) : IdempotentConsumer<UserCreated, EnrolmentDbContext>(db)
{
    protected override Task HandleAsync(UserCreated message, CancellationToken cancellationToken)
    {
        Db.Learners.Add(new Learner
        {
            UserId = message.UserId,
            Email = message.Email,
            DisplayName = $"{message.GivenName} {message.FamilyName}",
            CreatedAt = message.CreatedAt,
        });
        return Task.CompletedTask;
    }
}
