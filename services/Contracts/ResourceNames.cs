namespace LmsPlatform.Contracts;

/// <summary>
/// Every resource name of the platform, declared once: the AppHost topology, the services (connection string names,
/// service discovery) and the tests all use these constants.
/// </summary>
public static class ResourceNames
{
    public const string Postgres = "postgres";
    public const string EventBus = "eventbus";
    public const string Redis = "redis";
    /// <summary>Outgoing mail (SMTP): a relay's connection string, or the mail catcher the AppHost runs when none is given.</summary>
    public const string Mail = "mail";

    public const string IdentityApi = "identity-api";
    public const string CatalogueApi = "catalogue-api";
    public const string EnrolmentApi = "enrolment-api";
    public const string ContentApi = "content-api";
    public const string NotificationApi = "notification-api";
    public const string AnalyticsApi = "analytics-api";
    public const string Gateway = "gateway";
    /// <summary>The web application for people (administrators, training managers, managers, learners), at the gateway's <c>/</c>.</summary>
    public const string Portal = "portal";

    public const string IdentityDb = "identitydb";
    public const string CatalogueDb = "cataloguedb";
    public const string EnrolmentDb = "enrolmentdb";
    public const string ContentDb = "contentdb";
    public const string NotificationDb = "notificationdb";
    public const string AnalyticsDb = "analyticsdb";

    /// <summary>Every service's database: what a backup must hold (deploy/base/backup/lms-backup.sh takes them all).</summary>
    public static readonly IReadOnlyList<string> Databases = [IdentityDb, CatalogueDb, EnrolmentDb, ContentDb, NotificationDb, AnalyticsDb];

    /// <summary>The services behind the gateway, with the path prefix the gateway routes to each.</summary>
    public static readonly IReadOnlyList<(string Service, string PathPrefix)> GatewayRoutes =
    [
        (IdentityApi, "/api/identity"),
        (CatalogueApi, "/api/catalogue"),
        (EnrolmentApi, "/api/enrolment"),
        (ContentApi, "/api/content"),
        (NotificationApi, "/api/notification"),
        (AnalyticsApi, "/api/analytics"),
    ];

    /// <summary>
    /// Each service's name on the bus: its queues are "{name}-{consumer}", its failed messages "{name}-..._error", and the
    /// operations checks it sends to the cockpit carry it.
    /// </summary>
    public static class Bus
    {
        public const string Identity = "identity";
        public const string Catalogue = "catalogue";
        public const string Enrolment = "enrolment";
        public const string Content = "content";
        public const string Notification = "notification";
        public const string Analytics = "analytics";

        /// <summary>Every service on the bus, each of which sends its operations checks.</summary>
        public static readonly IReadOnlyList<string> Services = [Identity, Catalogue, Enrolment, Content, Notification, Analytics];
    }

    /// <summary>
    /// Identity's public, token-less paths, routed by the gateway without its token check: the OpenID Connect
    /// discovery and protocol endpoints, the sign-in pages, password reset, and SCIM (which checks its own tokens and answers in
    /// SCIM's error format).
    /// </summary>
    public static readonly IReadOnlyList<string> IdentityPublicPaths = ["/.well-known", "/connect", "/account", "/scim/v2", "/api/identity/password"];
}
