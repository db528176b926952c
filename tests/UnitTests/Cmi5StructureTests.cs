using System.IO.Compression;
using System.Text;
using LmsPlatform.ContentDelivery.Model.Packages;

namespace LmsPlatform.UnitTests;

/// <summary>
/// cmi5 course structures: a valid one read into AUs with their blocks, moveOn and mastery score, and each MUST of the
/// structure refused with a reason (ids, moveOn, mastery score, launch method, launch URLs, AU and block nesting).
/// </summary>
public class Cmi5StructureTests
{
    private const string Valid = """
        <?xml version="1.0" encoding="utf-8"?>
        <courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
          <course id="https://lms.example/courses/fire-safety">
            <title><langstring lang="en-US"> Fire safety </langstring></title>
            <description><langstring lang="en-US">Evacuation and extinguishers</langstring></description>
          </course>
          <objectives>
            <objective id="https://lms.example/objectives/evacuate"><title><langstring>Evacuate</langstring></title><description><langstring>-</langstring></description></objective>
          </objectives>
          <au id="https://lms.example/aus/intro" moveOn="Completed">
            <title><langstring lang="en-US">Introduction</langstring></title>
            <description><langstring lang="en-US">Why it matters</langstring></description>
            <url>intro/index.html?lang=en</url>
          </au>
          <block id="https://lms.example/blocks/practice">
            <title><langstring lang="en-US">Practice</langstring></title>
            <description><langstring lang="en-US">Drills</langstring></description>
            <au id="https://lms.example/aus/quiz" moveOn="CompletedAndPassed" masteryScore="0.8" launchMethod="OwnWindow">
              <title><langstring lang="en-US">Quiz</langstring></title>
              <description><langstring lang="en-US">Ten questions</langstring></description>
              <url> quiz/index.html </url>
              <launchParameters>{"difficulty":"hard"}</launchParameters>
            </au>
          </block>
          <au id="https://lms.example/aus/video" >
            <title><langstring lang="en-US">Video</langstring></title>
            <description><langstring lang="en-US">Hosted elsewhere</langstring></description>
            <url>https://video.example/watch/42</url>
          </au>
        </courseStructure>
        """;

    public static byte[] Zip(string structure, params string[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("cmi5.xml").Open())) writer.Write(structure);
            foreach (var file in files)
                using (var writer = new StreamWriter(zip.CreateEntry(file).Open())) writer.Write("<html><body>AU</body></html>");
        }
        return buffer.ToArray();
    }

    private static PackageInspection Inspect(string structure, params string[] files) =>
        PackageInspection.Of(new MemoryStream(Zip(structure, files.Length == 0 ? ["intro/index.html", "quiz/index.html"] : files)));

    [Fact]
    public void A_valid_structure_is_read_into_aus_with_their_blocks_and_rules()
    {
        var inspection = Inspect(Valid);
        Assert.True(inspection.Accepted, string.Join("\n", inspection.Problems.Select(p => p.Message)));
        var course = inspection.Cmi5!;
        Assert.Equal(("https://lms.example/courses/fire-safety", "Fire safety"), (course.CourseId, course.Title));
        Assert.Equal(["https://lms.example/aus/intro", "https://lms.example/aus/quiz", "https://lms.example/aus/video"], course.Aus.Select(a => a.Id));
        var quiz = course.Aus[1];
        Assert.Equal(("CompletedAndPassed", 0.8, "OwnWindow", "quiz/index.html"), (quiz.MoveOn, quiz.MasteryScore, quiz.LaunchMethod, quiz.Url));
        Assert.Equal(["https://lms.example/blocks/practice"], quiz.Blocks);
        Assert.Equal(Cmi5MoveOn.NotApplicable, course.Aus[2].MoveOn); // the default

        var package = ContentPackage.Import(Guid.NewGuid(), null, "fire.zip", inspection, null, "Admin", DateTimeOffset.UtcNow);
        Assert.Equal(ScormVersion.Cmi5, package.Standard);
        Assert.Equal(("intro/index.html", "lang=en"), (package.Activities[0].Path, package.Activities[0].Query));
        Assert.Equal("https://video.example/watch/42", package.Activities[2].Path);
        Assert.Equal("{\"difficulty\":\"hard\"}", package.Activities[1].LaunchParameters);
    }

    [Theory]
    [InlineData("https://lms.example/aus/quiz\" moveOn=\"CompletedAndPassed", "https://lms.example/aus/intro\" moveOn=\"CompletedAndPassed", "is used twice")]
    [InlineData("id=\"https://lms.example/aus/intro\"", "id=\"intro\"", "is not an absolute IRI")]
    [InlineData("moveOn=\"Completed\"", "moveOn=\"completed\"", "has moveOn 'completed'")]
    [InlineData("masteryScore=\"0.8\"", "masteryScore=\"80\"", "masteryScore '80'")]
    [InlineData("launchMethod=\"OwnWindow\"", "launchMethod=\"Popup\"", "launchMethod 'Popup'")]
    [InlineData("<url>intro/index.html?lang=en</url>", "<url>intro/missing.html</url>", "which is not in the package")]
    [InlineData("<url>intro/index.html?lang=en</url>", "<url>intro/index.html?registration=1</url>", "uses 'registration'")]
    [InlineData("<url>intro/index.html?lang=en</url>", "", "has no url")]
    [InlineData("<title><langstring lang=\"en-US\">Introduction</langstring></title>", "", "has no title")]
    [InlineData("<url> quiz/index.html </url>", "<url> quiz/index.html </url><au id=\"https://lms.example/aus/inner\"><title><langstring>x</langstring></title><url>intro/index.html</url></au>", "an AU holds neither AUs nor blocks")]
    [InlineData("<courseStructure xmlns", "<course-structure xmlns", "")]
    public void Each_must_of_the_structure_refuses_the_package_with_a_reason(string from, string to, string reason)
    {
        var structure = Valid.Replace(from, to);
        if (from.StartsWith("<courseStructure")) structure = structure.Replace("</courseStructure>", "</course-structure>");
        var inspection = Inspect(structure);
        Assert.False(inspection.Accepted);
        Assert.Contains(inspection.Problems, p => p.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_block_and_xml_that_is_not_well_formed_are_refused()
    {
        var empty = Valid.Replace("""<au id="https://lms.example/aus/video" >""", """<block id="https://lms.example/blocks/empty"><title><langstring>E</langstring></title></block><au id="https://lms.example/aus/video" >""");
        Assert.Contains(Inspect(empty).Problems, p => p.Message.Contains("holds no AU or block"));
        Assert.Contains(Inspect(Valid.Replace("</course>", "")).Problems, p => p.Message.StartsWith("cmi5.xml is not well-formed XML"));
    }

    [Fact]
    public void A_bare_structure_without_a_package_needs_absolute_urls()
    {
        var problems = new List<PackageProblem>();
        Assert.Null(Cmi5CourseStructure.Read(new MemoryStream(Encoding.UTF8.GetBytes(Valid)), null, problems));
        Assert.Contains(problems, p => p.Message.Contains("a cmi5.xml without a package uses absolute URLs"));
    }
}
