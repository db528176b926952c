using LmsPlatform.ServiceDefaults.Csv;
using System.Text;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Imports;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.UnitTests;

/// <summary>The org-unit rules on the aggregate, and the import planner that checks the same rules on a whole file.</summary>
public class OrgUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static OrgUnit Unit(string name, OrgUnit? parent = null)
    {
        var unit = OrgUnit.Create(Guid.CreateVersion7(), name, null, parent, Actor.System, Now);
        unit.TakeDomainEvents();
        return unit;
    }

    [Fact]
    public void A_move_takes_the_subtree_along_and_announces_every_moved_unit()
    {
        var (top, other) = (Unit("Top"), Unit("Other"));
        var middle = Unit("Middle", top);
        var leaf = Unit("Leaf", middle);

        top.MoveUnder(other, [middle, leaf], Actor.System, Now);

        Assert.Equal([other.Id, top.Id, middle.Id, leaf.Id], leaf.PathIds());
        var moved = top.TakeDomainEvents().OfType<OrgUnitChanged>().Single();
        Assert.Equal(["parentId"], moved.Changed);
        Assert.Equal(other.Id, moved.ParentId);
        var leafEvent = leaf.TakeDomainEvents().OfType<OrgUnitChanged>().Single();
        Assert.Equal(["path"], leafEvent.Changed);
        Assert.Equal(leaf.PathIds(), leafEvent.Path);
        Assert.Single(top.TakeDomainEvents().Concat(middle.TakeDomainEvents())); // the middle's event; the top's audit was taken above
    }

    [Fact]
    public void A_unit_cannot_move_inside_itself_nor_stay_active_under_a_closed_parent()
    {
        var top = Unit("Top");
        var leaf = Unit("Leaf", top);
        var cycle = Assert.Throws<DomainRuleException>(() => top.MoveUnder(leaf, [leaf], Actor.System, Now));
        Assert.Equal("parentId", cycle.Field);
        Assert.Contains("cycle", cycle.Message);

        var closed = Unit("Closed");
        closed.Deactivate(hasActiveSubUnits: false, hasActiveMembers: false, Actor.System, Now);
        Assert.Throws<DomainRuleException>(() => leaf.MoveUnder(closed, [], Actor.System, Now));
        Assert.Throws<DomainRuleException>(() => OrgUnit.Create(Guid.NewGuid(), "New", null, closed, Actor.System, Now));
        Assert.Equal(top.Id, leaf.ParentId);
        Assert.Empty(leaf.TakeDomainEvents());
    }

    [Fact]
    public void A_unit_with_active_people_or_units_stays_open_and_reopens_only_under_an_open_parent()
    {
        var top = Unit("Top");
        var leaf = Unit("Leaf", top);
        Assert.Throws<DomainRuleException>(() => top.Deactivate(hasActiveSubUnits: true, hasActiveMembers: false, Actor.System, Now));
        Assert.Throws<DomainRuleException>(() => leaf.Deactivate(hasActiveSubUnits: false, hasActiveMembers: true, Actor.System, Now));
        Assert.True(leaf.Active);

        leaf.Deactivate(false, false, Actor.System, Now);
        top.Deactivate(false, false, Actor.System, Now);
        Assert.Throws<DomainRuleException>(() => leaf.Reactivate(top, Actor.System, Now));
        top.Reactivate(null, Actor.System, Now);
        leaf.Reactivate(top, Actor.System, Now);
        var audit = leaf.TakeDomainEvents().OfType<Audited>().Select(a => a.Action).ToList();
        Assert.Equal(["orgunit.deactivated", "orgunit.reactivated"], audit);
    }

    private static OrgUnitPlan Plan(string csv, IReadOnlyCollection<ExistingOrgUnit> existing, IReadOnlySet<Guid>? withMembers = null, bool deactivateMissing = false) =>
        OrgUnitImportPlanner.Plan(CsvFile.Read(Encoding.UTF8.GetBytes(csv), OrgUnitImportPlanner.Aliases, OrgUnitImportPlanner.Required),
            existing, withMembers ?? new HashSet<Guid>(), deactivateMissing, Now);

    [Fact]
    public void The_import_refuses_closing_a_unit_with_active_people_and_then_its_parent_too()
    {
        var (parent, child) = (Guid.NewGuid(), Guid.NewGuid());
        var existing = new[] { new ExistingOrgUnit(parent, "p", "Parent", null, true), new ExistingOrgUnit(child, "c", "Child", parent, true) };

        var plan = Plan("external_id,name,parent_external_id,status\np,Parent,,inactive\nc,Child,p,inactive\n", existing, new HashSet<Guid> { child });

        Assert.DoesNotContain(plan.Changes, c => c.Kind == ChangeKind.Deactivate);
        Assert.Equal([1, 2], plan.Errors.Select(e => e.Row).Order());
        Assert.Contains(plan.Errors, e => e.Row == 2 && e.Reason == OrgUnit.CannotDeactivate(false, true));
        Assert.Contains(plan.Errors, e => e.Row == 1 && e.Reason == OrgUnit.CannotDeactivate(true, false));
    }

    [Fact]
    public void The_import_closes_a_tree_from_the_leaves_and_refuses_new_units_under_a_closed_one()
    {
        var (parent, child, closed) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var existing = new[]
        {
            new ExistingOrgUnit(parent, "p", "Parent", null, true), new ExistingOrgUnit(child, "c", "Child", parent, true),
            new ExistingOrgUnit(closed, "x", "Closed", null, false),
        };

        var plan = Plan("external_id,name,parent_external_id,status\np,Parent,,inactive\nc,Child,p,inactive\nn,New,x,\nm,Under new,n,\n", existing);

        Assert.Equal(2, plan.Changes.Count(c => c.Kind == ChangeKind.Deactivate));
        Assert.Contains(plan.Errors, e => e.Row == 3 && e.Reason == OrgUnit.ActiveUnderInactive("Closed"));
        Assert.Contains(plan.Errors, e => e.Row == 4 && e.Column == "parent_external_id");
        Assert.DoesNotContain(plan.Changes, c => c.Kind == ChangeKind.Create);
    }
}
