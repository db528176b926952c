namespace LmsPlatform.Portal.Services;

/// <summary>
/// The org units the person may see, with each one's place in the tree written out ("Company › Sales › North"), for
/// the pickers and the lists that show a department. One page of the API at a time, up to <see cref="Limit"/> units.
/// </summary>
public sealed class OrgUnitNames(GatewayApi api)
{
    public const int Limit = 2000;
    private IReadOnlyList<Entry>? _entries;

    public sealed record Entry(Guid Id, string Name, string Label, bool Active, Guid? ParentId, string? ExternalId);

    public async Task<IReadOnlyList<Entry>> AllAsync(CancellationToken ct = default)
    {
        if (_entries is not null) return _entries;
        var units = new List<OrgUnitView>();
        for (var page = 1; units.Count < Limit; page++)
        {
            var answer = await api.GetAsync<Page<OrgUnitView>>($"api/identity/org-units?page={page}&pageSize=200", ct);
            if (answer.Value is not { } result) break;
            units.AddRange(result.Items);
            if (page >= result.PageCount) break;
        }
        var names = units.ToDictionary(u => u.Id, u => u.Name);
        _entries = [.. units
            .Select(u => new Entry(u.Id, u.Name, string.Join(" › ", u.Path.Append(u.Id).Distinct().Select(id => names.GetValueOrDefault(id, "…"))), u.Active, u.ParentId, u.ExternalId))
            .OrderBy(e => e.Label, StringComparer.OrdinalIgnoreCase)];
        return _entries;
    }

    /// <summary>Forget the loaded tree, after a change.</summary>
    public void Invalidate() => _entries = null;

    /// <summary>The unit and every unit below it.</summary>
    public static HashSet<Guid> Subtree(IReadOnlyList<Entry> entries, Guid root)
    {
        var children = entries.ToLookup(e => e.ParentId);
        var found = new HashSet<Guid> { root };
        var stack = new Stack<Guid>([root]);
        while (stack.TryPop(out var id))
            foreach (var child in children[id]) if (found.Add(child.Id)) stack.Push(child.Id);
        return found;
    }

    public async Task<string?> LabelAsync(Guid? id, CancellationToken ct = default) =>
        id is null ? null : (await AllAsync(ct)).FirstOrDefault(e => e.Id == id)?.Label;
}
