using System.IO.Compression;
using System.Text;
using LmsPlatform.ContentDelivery.Model.Packages;

namespace LmsPlatform.UnitTests;

/// <summary>
/// SCORM package inspection: real packages (tests/Samples) read as a player needs them, and malformed or malicious
/// ones refused with a report that names each problem, before anything is extracted.
/// </summary>
public class ScormPackageTests
{
    private static PackageInspection Sample(string name)
    {
        using var zip = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Samples", "scorm", name));
        return PackageInspection.Of(zip);
    }

    [Theory]
    [InlineData("RuntimeBasicCalls_SCORM12.zip", ScormVersion.Scorm12, "1.2", "Golf Explained - Run-time Basic Calls")]
    [InlineData("ContentPackagingSingleSCO_SCORM12.zip", ScormVersion.Scorm12, "1.2", null)]
    [InlineData("RuntimeBasicCalls_SCORM20043rdEdition.zip", ScormVersion.Scorm2004, "3rd Edition", "Golf Explained - Run-time Basic Calls")]
    public void Real_packages_are_read_with_their_version_organisation_and_launch_file(string file, ScormVersion version, string edition, string? title)
    {
        var inspection = Sample(file);
        Assert.True(inspection.Accepted, string.Join("; ", inspection.Problems.Select(p => $"{p.Code} {p.Message}")));
        var package = inspection.Package!;
        Assert.Equal((version, edition), (package.Version, package.Edition));
        if (title is not null) Assert.Equal(title, package.Title);
        var launch = Assert.Single(package.Launches());
        Assert.True(launch.Resource.IsSco);
        Assert.Contains(inspection.Files, f => f.Path == launch.Path);
        Assert.EndsWith(".html", launch.Path);
        Assert.Equal(version == ScormVersion.Scorm2004, launch.Item.HasSequencing);
    }

    [Fact]
    public void A_manifest_that_is_not_well_formed_is_refused_with_its_line()
    {
        var inspection = Sample("MalformedXml_SCORM12.zip");
        Assert.False(inspection.Accepted);
        var problem = Assert.Single(inspection.Problems, p => !p.Warning);
        Assert.Equal("manifest.xml", problem.Code);
        Assert.Matches(@"line \d+, position \d+", problem.Message);
    }

    [Fact]
    public void A_resource_without_a_launch_file_is_refused_naming_it()
    {
        var inspection = Sample("MissingLaunchUrl_SCORM12.zip");
        Assert.False(inspection.Accepted);
        Assert.Contains(inspection.Problems, p => p.Code == "manifest.launch" && p.Message.Contains("'resource_1'") && p.Message.Contains("no launch file"));
    }

    [Theory]
    [InlineData("../evil.html")]
    [InlineData("content/../../evil.html")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows/evil.html")]
    [InlineData("..\\evil.html")]
    public void Entries_that_would_leave_the_package_are_refused(string name)
    {
        var inspection = Inspect(zip => Add(zip, name, "<html></html>"), withManifest: true);
        Assert.False(inspection.Accepted);
        Assert.Contains(inspection.Problems, p => p.Code == "archive.path" && p.Path == name);
    }

    [Fact]
    public void A_symbolic_link_is_refused()
    {
        var inspection = Inspect(zip =>
        {
            var link = zip.CreateEntry("shared/link.html");
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16)); // S_IFLNK | 0777
            using var target = new StreamWriter(link.Open());
            target.Write("/etc/passwd");
        }, withManifest: true);
        Assert.Contains(inspection.Problems, p => p.Code == "archive.symlink" && p.Path == "shared/link.html");
        Assert.False(inspection.Accepted);
    }

    [Fact]
    public void A_zip_bomb_expanding_to_a_gigabyte_is_refused_from_its_directory_without_inflating_it()
    {
        var inspection = Inspect(zip =>
        {
            var bomb = zip.CreateEntry("shared/video.mp4", CompressionLevel.SmallestSize);
            using var stream = bomb.Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 1024; i++) stream.Write(zeros);
        }, withManifest: true);
        var problem = Assert.Single(inspection.Problems, p => p.Code == "archive.ratio");
        Assert.Equal("shared/video.mp4", problem.Path);
        Assert.False(inspection.Accepted);
    }

    [Fact]
    public void An_archive_of_100000_files_is_refused_by_count()
    {
        var inspection = Inspect(zip =>
        {
            for (var i = 0; i < 100_000; i++) zip.CreateEntry($"f/{i}.txt", CompressionLevel.NoCompression);
        }, withManifest: true);
        var problem = Assert.Single(inspection.Problems);
        Assert.Equal("archive.entries", problem.Code);
        Assert.Contains("100,002 entries", problem.Message); // with the manifest and its launch file
    }

    [Fact]
    public void An_entry_whose_header_understates_its_size_cannot_inflate_past_it()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true)) Add(zip, "a.txt", new string('x', 100_000));
        // The headers lie: 100 bytes, in the local header (offset 22) and the central directory's (offset 24).
        var bytes = buffer.ToArray();
        for (var i = 0; i + 4 <= bytes.Length; i++)
        {
            var signature = BitConverter.ToUInt32(bytes, i);
            if (signature == 0x04034b50) BitConverter.TryWriteBytes(bytes.AsSpan(i + 22, 4), 100u);
            if (signature == 0x02014b50) BitConverter.TryWriteBytes(bytes.AsSpan(i + 24, 4), 100u);
        }
        using var lying = new MemoryStream(bytes);
        using var archive = PackageArchive.Open(lying);
        Assert.True(archive.IsValid, "the directory alone looks harmless");
        // Whoever stops it (the runtime's own bounded read or the archive's count), no more than the declared 100 bytes come out.
        using var content = archive.OpenEntry("a.txt");
        var (chunk, total) = (new byte[8192], 0L);
        try
        {
            int read;
            while ((read = content.Read(chunk)) > 0) total += read;
        }
        catch (InvalidDataException)
        {
        }
        Assert.InRange(total, 0, 100);
    }

    [Fact]
    public void A_manifest_in_a_folder_is_refused_with_how_to_zip_it()
    {
        var inspection = Inspect(zip => Add(zip, "course/imsmanifest.xml", Manifest("index.html")), withManifest: false);
        var problem = Assert.Single(inspection.Problems);
        Assert.Equal(("manifest.missing", "course/imsmanifest.xml"), (problem.Code, problem.Path));
        Assert.Contains("zip the folder's contents", problem.Message);
    }

    [Fact]
    public void A_launch_file_missing_from_the_archive_an_unknown_resource_and_a_bad_mastery_score_are_each_named()
    {
        var inspection = Inspect(zip => Add(zip, "imsmanifest.xml", """
            <manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
              <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
              <organizations default="o"><organization identifier="o"><title>T</title>
                <item identifier="i1" identifierref="r1"><title>One</title><adlcp:masteryscore>150</adlcp:masteryscore></item>
                <item identifier="i2" identifierref="nope"><title>Two</title></item>
              </organization></organizations>
              <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="missing.html"/></resources>
            </manifest>
            """), withManifest: false);
        Assert.False(inspection.Accepted);
        Assert.Equal(["manifest.item", "manifest.launch", "manifest.mastery"], inspection.Problems.Where(p => !p.Warning).Select(p => p.Code).Order());
        Assert.Contains(inspection.Problems, p => p.Code == "manifest.launch" && p.Path == "missing.html");
    }

    [Fact]
    public void A_manifest_with_a_DTD_is_refused_without_resolving_it()
    {
        var inspection = Inspect(zip => Add(zip, "imsmanifest.xml", """
            <?xml version="1.0"?>
            <!DOCTYPE manifest [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
            <manifest identifier="m">&x;</manifest>
            """), withManifest: false);
        Assert.Equal("manifest.xml", Assert.Single(inspection.Problems).Code);
    }

    /// <summary>A SCORM 2004 4th edition manifest of two SCOs with sequencing of most kinds (ADL's own examples use them so).</summary>
    private const string Sequenced = """
        <manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
                  xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3">
          <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
          <organizations default="o"><organization identifier="o"><title>Golf</title>
            <item identifier="pre" identifierref="r1"><title>Pretest</title>
              <imsss:sequencing IDRef="common">
                <imsss:limitConditions attemptLimit="1" attemptAbsoluteDurationLimit="PT30M"/>
                <imsss:sequencingRules>
                  <imsss:preConditionRule><imsss:ruleConditions conditionCombination="any">
                    <imsss:ruleCondition condition="satisfied"/><imsss:ruleCondition operator="not" condition="attempted"/>
                  </imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>
                  <imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="objectiveMeasureLessThan" measureThreshold="0.5"/></imsss:ruleConditions>
                    <imsss:ruleAction action="retry"/></imsss:postConditionRule>
                </imsss:sequencingRules>
                <imsss:objectives>
                  <imsss:primaryObjective objectiveID="pre-mastered" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
                    <imsss:mapInfo targetObjectiveID="golf.mastered" writeSatisfiedStatus="true"/></imsss:primaryObjective>
                  <imsss:objective objectiveID="rules"/>
                </imsss:objectives>
                <adlseq:objectives><adlseq:objective objectiveID="rules"><adlseq:mapInfo targetObjectiveID="golf.rules" writeCompletionStatus="true"/></adlseq:objective></adlseq:objectives>
                <imsss:deliveryControls tracked="true" completionSetByContent="true" objectiveSetByContent="false"/>
                <adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" measureSatisfactionIfActive="false"/>
              </imsss:sequencing>
            </item>
            <item identifier="lesson" identifierref="r1"><title>Lesson</title></item>
            <imsss:sequencing>
              <imsss:controlMode choice="false" flow="true" forwardOnly="true"/>
              <imsss:rollupRules rollupObjectiveSatisfied="true" objectiveMeasureWeight="1">
                <imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.5"><imsss:rollupConditions>
                  <imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule>
              </imsss:rollupRules>
              <imsss:randomizationControls randomizationTiming="onEachNewAttempt" selectCount="2" reorderChildren="true"/>
            </imsss:sequencing>
          </organization></organizations>
          <resources><resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/></resources>
          <imsss:sequencingCollection><imsss:sequencing ID="common"><imsss:controlMode choiceExit="false"/></imsss:sequencing></imsss:sequencingCollection>
        </manifest>
        """;

    private static PackageInspection InspectManifest(string manifest) => Inspect(zip =>
    {
        Add(zip, "imsmanifest.xml", manifest);
        Add(zip, "index.html", "<html></html>");
    }, withManifest: false);

    [Fact]
    public void SCORM_2004_sequencing_within_its_vocabularies_is_taken()
    {
        var inspection = InspectManifest(Sequenced);
        Assert.True(inspection.Accepted, string.Join("\n", inspection.Problems.Select(p => p.Message)));
        Assert.True(inspection.Package!.Organization.HasSequencing);
    }

    [Theory]
    [InlineData("flow=\"true\"", "flow=\"yes\"", "flow=\"yes\" must be one of true, false")]
    [InlineData("<imsss:ruleAction action=\"skip\"/>", "<imsss:ruleAction action=\"retry\"/>", "a preConditionRule's action is one of skip")]
    [InlineData("condition=\"satisfied\"/><imsss:ruleCondition", "condition=\"passed\"/><imsss:ruleCondition", "condition=\"passed\" must be one of satisfied")]
    [InlineData("measureThreshold=\"0.5\"", "measureThreshold=\"1.5\"", "must be a number from -1 to 1")]
    [InlineData("<imsss:minNormalizedMeasure>0.8<", "<imsss:minNormalizedMeasure>80<", "'80' must be a number from -1 to 1")]
    [InlineData("attemptLimit=\"1\"", "attemptLimit=\"-1\"", "must be a whole number")]
    [InlineData("attemptAbsoluteDurationLimit=\"PT30M\"", "attemptAbsoluteDurationLimit=\"30 minutes\"", "an ISO 8601 duration")]
    [InlineData("IDRef=\"common\"", "IDRef=\"elsewhere\"", "IDRef 'elsewhere' names no sequencing")]
    [InlineData("<imsss:objective objectiveID=\"rules\"/>", "<imsss:objective objectiveID=\"pre-mastered\"/>", "the objective id 'pre-mastered' is used twice")]
    [InlineData("<imsss:objective objectiveID=\"rules\"/>", "<imsss:objective/>", "the attribute objectiveID is required")]
    [InlineData("targetObjectiveID=\"golf.mastered\" ", "", "the attribute targetObjectiveID is required")]
    [InlineData("childActivitySet=\"atLeastPercent\"", "childActivitySet=\"most\"", "childActivitySet=\"most\" must be one of all, any")]
    [InlineData("randomizationTiming=\"onEachNewAttempt\"", "randomizationTiming=\"always\"", "must be one of never, once, onEachNewAttempt")]
    [InlineData("requiredForSatisfied=\"ifAttempted\"", "requiredForSatisfied=\"sometimes\"", "must be one of always, ifAttempted")]
    public void SCORM_2004_sequencing_outside_its_vocabularies_is_refused_with_the_element_and_line(string from, string to, string reason)
    {
        Assert.Contains(from, Sequenced);
        var inspection = InspectManifest(Sequenced.Replace(from, to));
        Assert.False(inspection.Accepted);
        var problem = Assert.Single(inspection.Problems, p => p.Code == "manifest.sequencing");
        Assert.Contains(reason, problem.Message);
        Assert.Contains("(line ", problem.Message);
    }

    private static PackageInspection Inspect(Action<ZipArchive> build, bool withManifest)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            if (withManifest)
            {
                Add(zip, "imsmanifest.xml", Manifest("index.html"));
                Add(zip, "index.html", "<html></html>");
            }
            build(zip);
        }
        buffer.Position = 0;
        return PackageInspection.Of(buffer);
    }

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.UTF8);
        writer.Write(content);
    }

    private static string Manifest(string launch) => $"""
        <manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
          <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
          <organizations default="o"><organization identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>I</title></item></organization></organizations>
          <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="{launch}"><file href="{launch}"/></resource></resources>
        </manifest>
        """;
}
