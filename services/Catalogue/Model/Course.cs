namespace LmsPlatform.Catalogue.Model;

public enum CourseStatus { Draft, Published, Archived }

public sealed class Course
{
    public Guid Id { get; set; }
    /// <summary>The unique course code administrators search by, e.g. SEC-101. Stored upper-case.</summary>
    public required string Code { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    public CourseStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
