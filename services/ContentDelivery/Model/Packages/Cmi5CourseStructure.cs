using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>cmi5's moveOn values: what satisfies an AU.</summary>
public static class Cmi5MoveOn
{
    public const string Passed = "Passed", Completed = "Completed", CompletedAndPassed = "CompletedAndPassed", CompletedOrPassed = "CompletedOrPassed",
        NotApplicable = "NotApplicable";

    public static readonly IReadOnlyList<string> All = [Passed, Completed, CompletedAndPassed, CompletedOrPassed, NotApplicable];

    /// <summary>Whether an AU with this moveOn is satisfied by what was received for it (a waiver satisfies any).</summary>
    public static bool Satisfied(string moveOn, bool completed, bool passed, bool waived) => waived || moveOn switch
    {
        Passed => passed,
        Completed => completed,
        CompletedAndPassed => completed && passed,
        CompletedOrPassed => completed || passed,
        _ => true,
    };
}

/// <summary>
/// An assignable unit of a cmi5 course: its publisher id (an IRI), title, launch URL (relative to the package, or
/// absolute), moveOn, mastery score (0–1), launch method and parameters, and the blocks it sits in (outermost first).
/// </summary>
public sealed record Cmi5Au(string Id, string Title, string Url, string MoveOn, double? MasteryScore, string LaunchMethod, string? LaunchParameters,
    string? EntitlementKey, IReadOnlyList<string> Blocks);

/// <summary>
/// A cmi5 course structure (<c>cmi5.xml</c>), read and checked against the spec's MUSTs: well-formed XML with the
/// <c>courseStructure</c> root; a course with an id; ids that are absolute IRIs and unique across the course, blocks,
/// AUs and objectives; blocks that hold AUs or blocks and AUs that hold neither; titles; moveOn, masteryScore and
/// launchMethod from their vocabularies; launch URLs that are valid, inside the package when relative (and absolute
/// when the structure comes without a package), and whose query does not use the launch parameters' names. Values are
/// trimmed, as cmi5 says. Every problem is reported, as for a SCORM manifest.
/// </summary>
public sealed record Cmi5CourseStructure(string CourseId, string Title, string? Description, IReadOnlyList<Cmi5Au> Aus, IReadOnlyList<string> Blocks)
{
    public const string FileName = "cmi5.xml";
    private static readonly string[] ReservedParameters = ["endpoint", "fetch", "actor", "registration", "activityId"];

    /// <summary>Reads the structure; <paramref name="contains"/> says whether the package has a file (null: a bare cmi5.xml, so URLs must be absolute).</summary>
    public static Cmi5CourseStructure? Read(Stream xml, Func<string, bool>? contains, List<PackageProblem> problems)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(XmlReader.Create(xml, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 10_000_000 }),
                LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            problems.Add(new("cmi5.xml", $"cmi5.xml is not well-formed XML: {e.Message}", FileName));
            return null;
        }
        var root = document.Root!;
        if (root.Name.LocalName != "courseStructure")
        {
            problems.Add(new("cmi5.root", $"cmi5.xml's root element must be courseStructure, not {root.Name.LocalName}.", FileName));
            return null;
        }
        var before = problems.Count;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? Id(XElement element, string what)
        {
            var id = element.Attribute("id")?.Value.Trim();
            if (string.IsNullOrEmpty(id)) problems.Add(new("cmi5.id", $"{what} at line {Line(element)} has no id.", FileName));
            else if (!XapiFormats.IsIri(id)) problems.Add(new("cmi5.id", $"{what} id '{id}' (line {Line(element)}) is not an absolute IRI.", FileName));
            else if (!ids.Add(id)) problems.Add(new("cmi5.id", $"The id '{id}' (line {Line(element)}) is used twice; course, block, AU and objective ids are unique.", FileName));
            else return id;
            return null;
        }
        string? Title(XElement element, string what, bool required = true)
        {
            var text = Child(element, "title")?.Elements().FirstOrDefault(e => e.Name.LocalName == "langstring")?.Value.Trim();
            if (string.IsNullOrEmpty(text) && required) problems.Add(new("cmi5.title", $"{what} at line {Line(element)} has no title (a langstring).", FileName));
            return text;
        }

        var course = Child(root, "course");
        if (course is null)
        {
            problems.Add(new("cmi5.course", "cmi5.xml has no course element.", FileName));
            return null;
        }
        var courseId = Id(course, "The course");
        var title = Title(course, "The course");
        var description = Child(course, "description")?.Elements().FirstOrDefault(e => e.Name.LocalName == "langstring")?.Value.Trim();
        foreach (var objective in root.Elements().Where(e => e.Name.LocalName == "objectives").SelectMany(o => o.Elements().Where(e => e.Name.LocalName == "objective")))
            Id(objective, "An objective");

        var aus = new List<Cmi5Au>();
        var blocks = new List<string>();
        void Walk(XElement parent, IReadOnlyList<string> path)
        {
            foreach (var element in parent.Elements())
            {
                switch (element.Name.LocalName)
                {
                    case "block":
                        var blockId = Id(element, "A block");
                        Title(element, "A block");
                        if (!element.Elements().Any(e => e.Name.LocalName is "au" or "block"))
                            problems.Add(new("cmi5.block", $"The block at line {Line(element)} holds no AU or block.", FileName));
                        if (blockId is not null) blocks.Add(blockId);
                        Walk(element, blockId is null ? path : [.. path, blockId]);
                        break;
                    case "au":
                        if (element.Elements().FirstOrDefault(e => e.Name.LocalName is "au" or "block") is { } nested)
                            problems.Add(new("cmi5.au", $"The AU at line {Line(element)} holds a {nested.Name.LocalName}; an AU holds neither AUs nor blocks.", FileName));
                        if (Au(element, path) is { } au) aus.Add(au);
                        break;
                }
            }
        }
        Cmi5Au? Au(XElement element, IReadOnlyList<string> path)
        {
            var id = Id(element, "An AU");
            var auTitle = Title(element, "An AU");
            var moveOn = element.Attribute("moveOn")?.Value.Trim() ?? Cmi5MoveOn.NotApplicable;
            if (!Cmi5MoveOn.All.Contains(moveOn))
                problems.Add(new("cmi5.moveOn", $"The AU at line {Line(element)} has moveOn '{moveOn}'; it is one of {string.Join(", ", Cmi5MoveOn.All)} (exact case).", FileName));
            double? mastery = null;
            if (element.Attribute("masteryScore")?.Value.Trim() is { } masteryText)
            {
                if (double.TryParse(masteryText, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m is >= 0 and <= 1) mastery = m;
                else problems.Add(new("cmi5.masteryScore", $"The AU at line {Line(element)} has masteryScore '{masteryText}'; it is a decimal from 0 to 1.", FileName));
            }
            var launchMethod = element.Attribute("launchMethod")?.Value.Trim() ?? "AnyWindow";
            if (launchMethod is not ("AnyWindow" or "OwnWindow"))
                problems.Add(new("cmi5.launchMethod", $"The AU at line {Line(element)} has launchMethod '{launchMethod}'; it is AnyWindow or OwnWindow.", FileName));
            var url = Child(element, "url")?.Value.Trim();
            if (string.IsNullOrEmpty(url))
            {
                problems.Add(new("cmi5.url", $"The AU at line {Line(element)} has no url.", FileName));
                return null;
            }
            if (!CheckUrl(url, element, contains, problems)) return null;
            return id is null || auTitle is null ? null
                : new Cmi5Au(id, auTitle, url, moveOn, mastery, launchMethod, Child(element, "launchParameters")?.Value.Trim(),
                    Child(element, "entitlementKey")?.Value.Trim(), path);
        }
        Walk(course.Parent!, []);
        if (aus.Count == 0 && problems.Count == before) problems.Add(new("cmi5.au", "The course has no AU.", FileName));
        return problems.Count > before || courseId is null || title is null ? null : new Cmi5CourseStructure(courseId, title, description, aus, blocks);
    }

    private static bool CheckUrl(string url, XElement element, Func<string, bool>? contains, List<PackageProblem> problems)
    {
        var query = url.Contains('?') ? url[(url.IndexOf('?') + 1)..].Split('#')[0] : "";
        var reserved = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0]))
            .FirstOrDefault(n => ReservedParameters.Contains(n));
        if (reserved is not null)
        {
            problems.Add(new("cmi5.url", $"The AU at line {Line(element)} has a url whose query uses '{reserved}', a name cmi5's launch adds.", FileName));
            return false;
        }
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme.Length > 1)
        {
            if (url.Any(char.IsWhiteSpace)) problems.Add(new("cmi5.url", $"The AU at line {Line(element)} has a url with white space in it.", FileName));
            return !url.Any(char.IsWhiteSpace);
        }
        if (contains is null)
        {
            problems.Add(new("cmi5.url", $"The AU at line {Line(element)} has the relative url '{url}'; a cmi5.xml without a package uses absolute URLs.", FileName));
            return false;
        }
        var path = PackageArchive.Normalise(Uri.UnescapeDataString(url.Split('?', '#')[0]));
        if (path is null || !contains(path))
        {
            problems.Add(new("cmi5.url", $"The AU at line {Line(element)} launches '{url}', which is not in the package.", FileName));
            return false;
        }
        return true;
    }

    private static XElement? Child(XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static int Line(XElement element) => ((IXmlLineInfo)element).LineNumber;
}
