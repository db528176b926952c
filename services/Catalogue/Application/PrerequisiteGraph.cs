namespace LmsPlatform.Catalogue.Application;

/// <summary>The prerequisite graph: an edge runs from an item to each item it needs first. It must stay acyclic.</summary>
public static class PrerequisiteGraph
{
    /// <summary>
    /// The cycle that giving <paramref name="item"/> the prerequisites <paramref name="required"/> would make, as the
    /// walk item → … → item; or null. <paramref name="edges"/> are the existing edges (item → its prerequisites),
    /// without <paramref name="item"/>'s own, which the change replaces.
    /// </summary>
    public static IReadOnlyList<Guid>? FindCycle(Guid item, IEnumerable<Guid> required, ILookup<Guid, Guid> edges)
    {
        // Breadth-first from the new prerequisites, remembering how each node was reached: the first way back to the
        // item is the shortest cycle, which is the clearest one to name.
        var cameFrom = new Dictionary<Guid, Guid>();
        var queue = new Queue<Guid>();
        foreach (var start in required.Distinct())
        {
            if (start == item) return [item, item];
            if (cameFrom.TryAdd(start, item)) queue.Enqueue(start);
        }
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in edges[node])
            {
                if (next == item)
                {
                    var walk = new List<Guid> { item, node };
                    for (var at = node; cameFrom[at] != item; at = cameFrom[at]) walk.Add(cameFrom[at]);
                    walk.Add(item);
                    // Collected backwards from the end; the first and last are both the item.
                    walk.Reverse(1, walk.Count - 2);
                    return walk;
                }
                if (cameFrom.TryAdd(next, node)) queue.Enqueue(next);
            }
        }
        return null;
    }
}
