using System.Security.Claims;
using LmsPlatform.Contracts.Security;

namespace LmsPlatform.Portal.Services;

/// <summary>
/// The audiences a report can be narrowed to, for the reports' pickers: only for someone who may read audiences
/// (enrolments.read); anyone else sees no picker. Up to 200, by name.
/// </summary>
public sealed class AudienceNames(GatewayApi api)
{
    public sealed record Entry(Guid Id, string Name);

    public async Task<IReadOnlyList<Entry>> ForAsync(ClaimsPrincipal? user, CancellationToken ct = default)
    {
        if (user is null || !user.Can(Permissions.EnrolmentsRead)) return [];
        var answer = await api.GetAsync<Page<AudienceSummaryView>>("api/enrolment/audiences?pageSize=200", ct);
        return [.. (answer.Value?.Items ?? []).Select(a => new Entry(a.Id, a.Name)).OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)];
    }
}
