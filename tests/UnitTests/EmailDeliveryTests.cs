using LmsPlatform.Notification.Delivery;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using MailKit.Security;

namespace LmsPlatform.UnitTests;

public class EmailDeliveryTests
{
    private static readonly DateTimeOffset T0 = new(2027, 1, 10, 9, 0, 0, TimeSpan.Zero);

    private static EmailMessage Email(bool sensitive = false) => new()
    {
        Id = Guid.CreateVersion7(), ToAddress = "a@example.org", Subject = "S", TextBody = "link https://x/reset?token=1", HtmlBody = "<p>h</p>",
        Sensitive = sensitive, Status = EmailStatus.Queued, CreatedAt = T0, QueuedAt = T0, NextAttemptAt = T0,
    };

    [Fact]
    public void A_link_made_for_a_new_address_goes_there_with_everything_else_the_persons()
    {
        var person = new Recipient
        {
            UserId = Guid.NewGuid(), Email = "old@example.org", GivenName = "Ada", Language = "nl", TimeZone = "Europe/Amsterdam",
            QuietFrom = new TimeOnly(22, 0), QuietUntil = new TimeOnly(6, 0), Digest = DigestFrequency.Daily,
        };
        var there = person.At("new@example.org");
        Assert.Equal("new@example.org", there.Email);
        Assert.Equal("old@example.org", person.Email);
        Assert.Equal((person.UserId, "Ada", "nl", "Europe/Amsterdam", person.QuietFrom, person.QuietUntil, DigestFrequency.Daily),
            (there.UserId, there.GivenName, there.Language, there.TimeZone, there.QuietFrom, there.QuietUntil, there.Digest));
    }

    [Fact]
    public void Retries_back_off_from_15_seconds_doubling_to_10_minutes_and_give_up_after_two_days()
    {
        Assert.Equal(T0.AddSeconds(15), DeliveryPolicy.NextAttempt(1, T0, T0));
        Assert.Equal(T0.AddSeconds(30), DeliveryPolicy.NextAttempt(2, T0, T0));
        Assert.Equal(T0.AddSeconds(60), DeliveryPolicy.NextAttempt(3, T0, T0));
        Assert.Equal(T0.AddMinutes(10), DeliveryPolicy.NextAttempt(9, T0, T0));
        Assert.Equal(T0.AddMinutes(10), DeliveryPolicy.NextAttempt(60, T0, T0));
        Assert.Null(DeliveryPolicy.NextAttempt(300, T0, T0.AddDays(2)));
    }

    [Fact]
    public void Each_outcome_is_announced_for_the_delivery_report_and_an_attempt_still_to_come_is_not()
    {
        static List<Contracts.Notification.EmailDeliveryChanged> Announced(EmailMessage email) =>
            [.. email.TakeDomainEvents().OfType<Contracts.Notification.EmailDeliveryChanged>()];
        var email = Email();
        email.Type = "reminder";
        email.Failed("421 try later", permanent: false, T0);
        Assert.Empty(Announced(email)); // retrying: no outcome yet
        email.Delivered(T0.AddSeconds(15));
        var sent = Assert.Single(Announced(email));
        Assert.Equal((email.Id, "reminder", "Sent", 2, T0, T0.AddSeconds(15)), (sent.EmailId, sent.Type, sent.Status, sent.Attempts, sent.QueuedAt, sent.At));

        var bounced = Email();
        bounced.Failed("550 mailbox unavailable", permanent: true, T0);
        Assert.Equal("Bounced", Assert.Single(Announced(bounced)).Status);
        var late = Email();
        late.Failed("421 try later", permanent: false, T0.AddDays(2));
        Assert.Equal("GaveUp", Assert.Single(Announced(late)).Status);
    }

    [Fact]
    public void The_report_keeps_an_emails_latest_outcome_whatever_order_they_arrive_in()
    {
        var id = Guid.NewGuid();
        var fact = new Analytics.Model.EmailFact { EmailId = id };
        var bounced = new Contracts.Notification.EmailDeliveryChanged(id, null, "reminder", "Bounced", 1, T0, T0.AddMinutes(1));
        var sentAgain = new Contracts.Notification.EmailDeliveryChanged(id, null, "reminder", "Sent", 2, T0.AddHours(1), T0.AddHours(1));
        fact.Apply(sentAgain);
        fact.Apply(bounced); // the earlier outcome, arriving late
        Assert.Equal(("Sent", 2), (fact.Status, fact.Attempts));
        var untyped = new Analytics.Model.EmailFact();
        untyped.Apply(bounced with { Type = null });
        Assert.Equal("other", untyped.Type);
    }

    [Fact]
    public void A_failed_attempt_retries_a_refusal_bounces_and_time_gives_up()
    {
        var email = Email();
        email.Failed("connection refused", permanent: false, T0);
        Assert.Equal((EmailStatus.Retrying, 1, T0.AddSeconds(15)), (email.Status, email.Attempts, email.NextAttemptAt));

        var bounced = Email();
        bounced.Failed("550 mailbox unavailable", permanent: true, T0);
        Assert.Equal(EmailStatus.Bounced, bounced.Status);

        var late = Email();
        late.Failed("421 try later", permanent: false, T0.AddDays(2));
        Assert.Equal(EmailStatus.GaveUp, late.Status);
        Assert.Equal("421 try later", late.LastError);
    }

    [Fact]
    public void A_delivered_sign_in_link_is_not_kept_and_cannot_be_sent_again()
    {
        var email = Email(sensitive: true);
        email.Delivered(T0);
        Assert.Equal(EmailStatus.Sent, email.Status);
        Assert.Equal(EmailMessage.Withheld, email.TextBody);
        Assert.False(email.Retry(T0));
    }

    [Fact]
    public void An_operator_retries_a_failed_email_in_a_new_delivery_window_but_never_a_sent_one()
    {
        var email = Email();
        email.Failed("x", permanent: false, T0.AddDays(2));
        Assert.True(email.Retry(T0.AddDays(3)));
        Assert.Equal((EmailStatus.Queued, T0.AddDays(3)), (email.Status, email.NextAttemptAt));
        Assert.Equal(T0, email.CreatedAt);
        email.Delivered(T0.AddDays(3));
        Assert.False(email.Retry(T0.AddDays(4)));
    }

    [Fact]
    public void A_retrying_email_a_sender_holds_right_now_is_not_retried_until_its_lease_ends()
    {
        var email = Email();
        email.Failed("421 try later", permanent: false, T0);
        email.LeasedUntil = T0.AddMinutes(1);
        Assert.True(email.BeingSent(T0.AddSeconds(30)));
        Assert.False(email.Retry(T0.AddSeconds(30)));
        Assert.Equal(EmailStatus.Retrying, email.Status);
        Assert.True(email.Retry(T0.AddMinutes(2)));
    }

    [Fact]
    public void A_lease_no_longer_than_the_relay_timeout_is_refused_at_start_up()
    {
        var options = new MailOptions { Lease = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("must be longer", Assert.Throws<InvalidOperationException>(options.Validate).Message);
        new MailOptions().Validate(); // the defaults
    }

    [Theory]
    [InlineData("Endpoint=smtp://relay.example.com:587;Username=u;Password=p;Security=StartTls", "relay.example.com", 587, SecureSocketOptions.StartTls, "u")]
    [InlineData("Endpoint=smtps://relay.example.com", "relay.example.com", 465, SecureSocketOptions.SslOnConnect, null)]
    [InlineData("Endpoint=smtp://127.0.0.1:2525", "127.0.0.1", 2525, SecureSocketOptions.StartTlsWhenAvailable, null)]
    public void The_relay_is_read_from_its_connection_string(string connection, string host, int port, SecureSocketOptions security, string? user)
    {
        var options = new MailOptions();
        options.ApplyConnectionString(connection);
        Assert.Equal((host, port, security, user, true), (options.Host, options.Port, options.Security, options.Username, options.Configured));
    }

    [Fact]
    public void A_mail_carries_a_stable_message_id_alternative_bodies_and_one_click_unsubscribe()
    {
        var email = Email();
        email.UnsubscribeUrl = "https://learning.example.com/api/notification/unsubscribe?user=1&type=t&sig=s";
        var sender = new MailSender(new MailOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var message = sender.Build(email);
        Assert.Equal(email.MessageId, message.MessageId);
        Assert.Equal(email.MessageId, sender.Build(email).MessageId);
        Assert.Equal($"<{email.UnsubscribeUrl}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal(email.TextBody, message.TextBody);
        Assert.Equal(email.HtmlBody, message.HtmlBody);
    }

    [Fact]
    public void Preferences_change_a_types_channels_but_never_a_mandatory_types()
    {
        var assigned = NotificationTypes.Get(NotificationTypes.Assigned);
        var user = Guid.NewGuid();
        Assert.Equal(Channels.InApp | Channels.Email, PreferenceRules.Channels(assigned, []));
        Assert.Equal(Channels.InApp, PreferenceRules.Channels(assigned, [new Preference { UserId = user, Type = assigned.Key, Channel = Channel.Email, Enabled = false }]));
        var window = NotificationTypes.Get(NotificationTypes.CertificationWindowOpened);
        Assert.Equal(Channels.InApp | Channels.Email, PreferenceRules.Channels(window, [new Preference { UserId = user, Type = window.Key, Channel = Channel.Email, Enabled = false }]));
        var invitation = NotificationTypes.Get(NotificationTypes.Invitation);
        Assert.Equal(Channels.Email, PreferenceRules.Channels(invitation, []));
    }

    [Fact]
    public void An_unsubscribe_link_is_signed_for_its_person_and_type()
    {
        var unsubscribe = new Unsubscribe(Microsoft.Extensions.Options.Options.Create(new NotificationOptions { UnsubscribeKey = "0123456789abcdef0123" }));
        var user = Guid.NewGuid();
        var url = new Uri(unsubscribe.UrlFor("https://l.example.com/", user, NotificationTypes.Assigned)!);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("https://l.example.com/api/notification/unsubscribe", url.GetLeftPart(UriPartial.Path));
        Assert.True(unsubscribe.Verify(user, NotificationTypes.Assigned, query["sig"]));
        Assert.False(unsubscribe.Verify(Guid.NewGuid(), NotificationTypes.Assigned, query["sig"]));
        Assert.False(unsubscribe.Verify(user, NotificationTypes.Overdue, query["sig"]));
        Assert.Null(new Unsubscribe(Microsoft.Extensions.Options.Options.Create(new NotificationOptions())).UrlFor("https://l", user, "t"));
    }
}
