using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>The standard a package follows: SCORM 1.2, SCORM 2004, or cmi5 (a course structure whose AUs speak xAPI to the LRS).</summary>
public enum ScormVersion { Scorm12, Scorm2004, Cmi5 }

/// <summary>A resource of the manifest: a SCO (it talks to the runtime API) or an asset, its launch file and its files.</summary>
public sealed record ScormResource(string Identifier, string? Href, bool IsSco, string? Base, IReadOnlyList<string> Files);

/// <summary>
/// An item of an organisation: a leaf refers to a resource (what it launches, with its parameters); a parent groups
/// items. The mastery score (SCORM 1.2's <c>adlcp:masteryscore</c>, 0-100; SCORM 2004's primary objective's
/// <c>minNormalizedMeasure</c>, -1 to 1, as a percentage) decides passed or failed when the content reports only a score.
/// </summary>
public sealed record ScormItem(string Identifier, string Title, string? ResourceId, string? Parameters, bool Visible, double? MasteryScore,
    double? CompletionThreshold, bool HasSequencing, IReadOnlyList<ScormItem> Children)
{
    public IEnumerable<ScormItem> SelfAndDescendants() => Children.SelectMany(c => c.SelfAndDescendants()).Prepend(this);
}

public sealed record ScormOrganization(string Identifier, string Title, bool HasSequencing, IReadOnlyList<ScormItem> Items);

/// <summary>One launchable activity: the item, its resource and the path it opens inside the package (base, href, parameters).</summary>
public sealed record ScormLaunch(ScormItem Item, ScormResource Resource, string Path, string? Query);

/// <summary>
/// A SCORM package's manifest as read from <c>imsmanifest.xml</c>: its version (1.2, or 2004 and its edition), the
/// organisations with their items, the resources. <see cref="Read"/> refuses what a player could not launch, naming
/// each problem: XML that is not well-formed (with the line), an unknown version, no organisation, an item referring to
/// a resource that does not exist, a launchable item whose resource has no launch file, a launch file missing from the
/// archive, a mastery score out of range, SCORM 2004 sequencing outside its vocabularies (<see cref="ScormSequencing"/>). Elements are matched by local name, so the namespace variants packages use
/// in the field are read alike.
/// </summary>
public sealed record ScormPackage(ScormVersion Version, string? Edition, string Identifier, string Title, string DefaultOrganization,
    IReadOnlyList<ScormOrganization> Organizations, IReadOnlyList<ScormResource> Resources)
{
    public const string ManifestPath = "imsmanifest.xml";
    private const long MaxManifestCharacters = 10_000_000;

    public ScormOrganization Organization => Organizations.First(o => o.Identifier == DefaultOrganization);

    /// <summary>The launchable items of the default organisation, in the order a learner meets them.</summary>
    public IReadOnlyList<ScormLaunch> Launches()
    {
        var resources = Resources.ToDictionary(r => r.Identifier);
        return [.. Organization.Items.SelectMany(i => i.SelfAndDescendants())
            .Where(i => i.ResourceId is not null && resources.TryGetValue(i.ResourceId, out var r) && r.Href is not null)
            .Select(i => LaunchOf(i, resources[i.ResourceId!]))];
    }

    private static ScormLaunch LaunchOf(ScormItem item, ScormResource resource)
    {
        var href = resource.Href!;
        var query = href.Contains('?') ? href[(href.IndexOf('?') + 1)..] : null;
        var path = PackageArchive.Normalise((resource.Base ?? "") + (query is null ? href : href[..href.IndexOf('?')])) ?? href;
        if (item.Parameters is { Length: > 0 } parameters)
        {
            // SCORM CAM: parameters start with '?' or '#', or are appended to the launch URL's own query.
            var trimmed = parameters.TrimStart('?', '&');
            query = query is null ? trimmed : $"{query}&{trimmed}";
        }
        return new ScormLaunch(item, resource, path, query);
    }

    /// <summary>Reads and checks the manifest against the archive's files; null (with the problems) when it cannot be used.</summary>
    public static ScormPackage? Read(Stream manifest, Func<string, bool> fileExists, List<PackageProblem> problems)
    {
        XDocument document;
        try
        {
            // No DTDs, no external entities, a bounded size: the manifest is the uploader's input.
            using var reader = XmlReader.Create(manifest, new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxManifestCharacters, IgnoreComments = true,
            });
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            problems.Add(new("manifest.xml", $"imsmanifest.xml is not well-formed XML (line {ex.LineNumber}, position {ex.LinePosition}): {ex.Message}", ManifestPath));
            return null;
        }
        var root = document.Root!;
        if (root.Name.LocalName != "manifest")
        {
            problems.Add(new("manifest.root", $"imsmanifest.xml's root element is <{root.Name.LocalName}>, not <manifest>.", ManifestPath));
            return null;
        }

        var (version, edition) = VersionOf(root);
        if (version is null)
        {
            problems.Add(new("manifest.version", $"The manifest does not say which SCORM it is (schemaversion '{edition}'): 1.2 and 2004 are supported.", ManifestPath));
            return null;
        }

        var resources = Children(Child(root, "resources"), "resource").Select(ResourceOf).ToList();
        foreach (var duplicate in resources.GroupBy(r => r.Identifier).Where(g => g.Count() > 1))
            problems.Add(new("manifest.resource", $"Two resources have the identifier '{duplicate.Key}'.", ManifestPath));
        var byId = resources.DistinctBy(r => r.Identifier).ToDictionary(r => r.Identifier);

        var organizationsElement = Child(root, "organizations");
        var organizations = Children(organizationsElement, "organization").Select(o => OrganizationOf(o, version.Value, problems)).ToList();
        if (organizations.Count == 0)
        {
            problems.Add(new("manifest.organization", "The manifest has no organisation: there is nothing to launch.", ManifestPath));
            return null;
        }
        var defaultId = Attribute(organizationsElement, "default");
        if (defaultId is not null && organizations.All(o => o.Identifier != defaultId))
        {
            problems.Add(new("manifest.organization", $"The default organisation '{defaultId}' is not one of the manifest's organisations.", ManifestPath));
            return null;
        }

        var package = new ScormPackage(version.Value, edition, Attribute(root, "identifier") ?? "", organizations[0].Title,
            defaultId ?? organizations[0].Identifier, organizations, resources);
        package = package with { Title = package.Organization.Title };

        foreach (var item in package.Organization.Items.SelectMany(i => i.SelfAndDescendants()))
        {
            if (item.ResourceId is null)
            {
                if (item.Children.Count == 0) problems.Add(new("manifest.item", $"The item '{item.Identifier}' launches nothing and has no items below it.", ManifestPath, Warning: true));
                continue;
            }
            if (!byId.TryGetValue(item.ResourceId, out var resource))
                problems.Add(new("manifest.item", $"The item '{item.Identifier}' refers to the resource '{item.ResourceId}', which the manifest does not have.", ManifestPath));
            else if (resource.Href is null)
                problems.Add(new("manifest.launch", $"The resource '{resource.Identifier}' (for the item '{item.Identifier}') has no launch file (href).", ManifestPath));
            else if (Uri.TryCreate(resource.Href, UriKind.Absolute, out var external) && !external.IsFile)
            {
                if (external.Scheme is "http" or "https")
                    problems.Add(new("manifest.external", $"The item '{item.Identifier}' launches {external}, outside the package.", ManifestPath, Warning: true));
                else problems.Add(new("manifest.launch", $"The item '{item.Identifier}' launches a '{external.Scheme}:' address; only files in the package or http(s) addresses are launched.", ManifestPath));
            }
            else if (LaunchOf(item, resource).Path is var path && !fileExists(path))
                problems.Add(new("manifest.launch", $"The launch file '{path}' of the item '{item.Identifier}' is not in the package.", path));
            if (item.MasteryScore is < 0 or > 100)
                problems.Add(new("manifest.mastery", $"The item '{item.Identifier}' has a mastery score of {item.MasteryScore}: it must be between 0 and 100.", ManifestPath));
        }
        if (version == ScormVersion.Scorm2004) ScormSequencing.Check(root, problems);
        foreach (var resource in resources)
            foreach (var file in resource.Files.Where(f => !fileExists(f)))
                problems.Add(new("manifest.file", $"The resource '{resource.Identifier}' lists '{file}', which is not in the package.", file, Warning: true));

        if (problems.Any(p => !p.Warning)) return null;
        if (package.Launches().Count == 0)
        {
            problems.Add(new("manifest.launch", "The default organisation has no item that launches anything.", ManifestPath));
            return null;
        }
        return package;
    }

    /// <summary>SCORM 1.2 or 2004 from the schema version, else from the namespaces the manifest declares.</summary>
    private static (ScormVersion? Version, string? Edition) VersionOf(XElement root)
    {
        var declared = Child(Child(root, "metadata"), "schemaversion")?.Value.Trim();
        var namespaces = root.DescendantsAndSelf().SelectMany(e => e.Attributes()).Where(a => a.IsNamespaceDeclaration).Select(a => a.Value).ToList();
        return declared switch
        {
            "1.2" => (ScormVersion.Scorm12, "1.2"),
            "CAM 1.3" => (ScormVersion.Scorm2004, "2nd Edition"),
            { } v when v.StartsWith("2004", StringComparison.OrdinalIgnoreCase) => (ScormVersion.Scorm2004, v[4..].Trim() is { Length: > 0 } e ? e : null),
            _ when namespaces.Contains("http://www.adlnet.org/xsd/adlcp_rootv1p2") => (ScormVersion.Scorm12, "1.2"),
            _ when namespaces.Contains("http://www.adlnet.org/xsd/adlcp_v1p3") => (ScormVersion.Scorm2004, null),
            _ => (null, declared),
        };
    }

    private static ScormResource ResourceOf(XElement resource)
    {
        // adlcp:scormtype (1.2) or adlcp:scormType (2004); a resource without it is an asset.
        var type = resource.Attributes().FirstOrDefault(a => a.Name.LocalName.Equals("scormtype", StringComparison.OrdinalIgnoreCase))?.Value;
        var xmlBase = resource.Attribute(XNamespace.Xml + "base")?.Value;
        var files = Children(resource, "file").Select(f => Attribute(f, "href")).OfType<string>()
            .Select(f => PackageArchive.Normalise((xmlBase ?? "") + f)).OfType<string>().ToList();
        return new ScormResource(Attribute(resource, "identifier") ?? "", Attribute(resource, "href") is { Length: > 0 } href ? href.Trim() : null,
            string.Equals(type, "sco", StringComparison.OrdinalIgnoreCase), xmlBase, files);
    }

    private static ScormOrganization OrganizationOf(XElement organization, ScormVersion version, List<PackageProblem> problems) =>
        new(Attribute(organization, "identifier") ?? "", Child(organization, "title")?.Value.Trim() ?? "", Child(organization, "sequencing") is not null,
            [.. Children(organization, "item").Select(i => ItemOf(i, version, problems))]);

    private static ScormItem ItemOf(XElement item, ScormVersion version, List<PackageProblem> problems)
    {
        double? mastery = null;
        if (version == ScormVersion.Scorm12)
        {
            var text = Child(item, "masteryscore")?.Value.Trim();
            if (!string.IsNullOrEmpty(text))
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var score)) mastery = score;
                else problems.Add(new("manifest.mastery", $"The item '{Attribute(item, "identifier")}' has a mastery score '{text}' that is not a number.", ManifestPath));
            }
        }
        else
        {
            // The primary objective satisfied by measure: its minimum normalised measure (-1..1), as a percentage.
            var primary = Child(Child(Child(item, "sequencing"), "objectives"), "primaryObjective");
            if (primary is not null && Attribute(primary, "satisfiedByMeasure") == "true"
                && double.TryParse(Child(primary, "minNormalizedMeasure")?.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var measure))
                mastery = measure * 100;
        }
        double? threshold = Child(item, "completionThreshold") is { } ct
            && double.TryParse(Attribute(ct, "minProgressMeasure") ?? ct.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : null;
        return new ScormItem(Attribute(item, "identifier") ?? "", Child(item, "title")?.Value.Trim() ?? "", Attribute(item, "identifierref"),
            Attribute(item, "parameters"), Attribute(item, "isvisible") != "false", mastery, threshold, Child(item, "sequencing") is not null,
            [.. Children(item, "item").Select(i => ItemOf(i, version, problems))]);
    }

    private static XElement? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static IEnumerable<XElement> Children(XElement? parent, string name) => parent?.Elements().Where(e => e.Name.LocalName == name) ?? [];

    private static string? Attribute(XElement? element, string name) =>
        element?.Attributes().FirstOrDefault(a => a.Name.LocalName == name && !a.IsNamespaceDeclaration)?.Value;
}
