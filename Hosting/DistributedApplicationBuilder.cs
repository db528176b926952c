using Microsoft.Extensions.Configuration;

namespace LmsPlatform.Hosting;

public sealed class DistributedApplicationOptions
{
    public string RepositoryRoot { get; set; } = FindRepositoryRoot();

    /// <summary>Data, logs, secrets and remembered ports. Defaults to the git-ignored .lms/ folder.</summary>
    public string DataDirectory { get; set; } = Path.Combine(FindRepositoryRoot(), ".lms");

    /// <summary>True for <c>./lms run</c>: durable servers and stable ports. False for throwaway test runs.</summary>
    public bool Persistent { get; set; } = true;

    /// <summary>Deletes <see cref="DataDirectory"/> when the application is disposed (test runs).</summary>
    public bool DeleteDataOnDispose { get; set; }

    /// <summary>The build configuration whose output is launched.</summary>
    public string Configuration { get; set; } = "Debug";

    public string EnvironmentName { get; set; } = "Development";

    /// <summary>The folder holding LmsPlatform.sln, found upwards from this assembly.</summary>
    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LmsPlatform.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>
/// Describes the resources of the platform, in Aspire's shape: <c>AddPostgres(...).AddDatabase(...)</c>,
/// <c>AddRabbitMQ</c>, <c>AddRedis</c>, <c>AddProject</c>, <c>WithReference</c>, <c>WaitFor</c>.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    public DistributedApplicationBuilder(DistributedApplicationOptions options, string[]? args = null)
    {
        Options = options;
        Configuration = new ConfigurationManager();
        Configuration.AddEnvironmentVariables();
        if (args is not null) Configuration.AddCommandLine(args);
    }

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(new DistributedApplicationOptions(), args);

    public DistributedApplicationOptions Options { get; }
    public ConfigurationManager Configuration { get; }
    public IReadOnlyList<Resource> Resources => _resources;

    public ResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => r.Name == resource.Name))
            throw new InvalidOperationException($"A resource named '{resource.Name}' exists already.");
        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public ResourceBuilder<PostgresServerResource> AddPostgres(string name) => AddResource(new PostgresServerResource(name));

    public ResourceBuilder<RabbitMQServerResource> AddRabbitMQ(string name) => AddResource(new RabbitMQServerResource(name));

    public ResourceBuilder<RedisResource> AddRedis(string name) => AddResource(new RedisResource(name));

    /// <summary>A project by its path relative to the repository root, e.g. services/Identity/Identity.Api.csproj.</summary>
    public ResourceBuilder<ProjectResource> AddProject(string name, string projectPath) =>
        AddResource(new ProjectResource(name, projectPath));

    public DistributedApplication Build() => new(Options, Configuration, _resources);
}

public sealed class ResourceBuilder<T>(DistributedApplicationBuilder applicationBuilder, T resource) where T : Resource
{
    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
    public T Resource { get; } = resource;
}

public static class ResourceBuilderExtensions
{
    public static ResourceBuilder<PostgresDatabaseResource> AddDatabase(this ResourceBuilder<PostgresServerResource> server, string name)
    {
        var database = new PostgresDatabaseResource(name, server.Resource);
        database.WaitsFor.Add(server.Resource);
        server.Resource.Databases.Add(database);
        return server.ApplicationBuilder.AddResource(database);
    }

    public static ResourceBuilder<RabbitMQServerResource> WithManagementPlugin(this ResourceBuilder<RabbitMQServerResource> broker)
    {
        broker.Resource.ManagementPlugin = true;
        return broker;
    }

    /// <summary>Gives the project <c>ConnectionStrings__{name}</c>.</summary>
    public static ResourceBuilder<ProjectResource> WithReference<T>(this ResourceBuilder<ProjectResource> project, ResourceBuilder<T> source)
        where T : Resource, IResourceWithConnectionString
    {
        project.Resource.AddEnvironment($"ConnectionStrings__{source.Resource.Name}", () => source.Resource.ConnectionString);
        return project;
    }

    /// <summary>Gives the project <c>services__{name}__http__0</c>, read by service discovery as http://{name}.</summary>
    public static ResourceBuilder<ProjectResource> WithReference(this ResourceBuilder<ProjectResource> project, ResourceBuilder<ProjectResource> service)
    {
        project.Resource.AddEnvironment($"services__{service.Resource.Name}__http__0", () => service.Resource.Url);
        return project;
    }

    /// <summary>The project starts only after <paramref name="dependency"/> is healthy.</summary>
    public static ResourceBuilder<ProjectResource> WaitFor<T>(this ResourceBuilder<ProjectResource> project, ResourceBuilder<T> dependency)
        where T : Resource
    {
        project.Resource.WaitsFor.Add(dependency.Resource);
        return project;
    }

    /// <summary>Binds the project to a fixed port (0 or null: a free port is chosen).</summary>
    public static ResourceBuilder<ProjectResource> WithHttpEndpoint(this ResourceBuilder<ProjectResource> project, int? port)
    {
        project.Resource.FixedPort = port;
        return project;
    }

    /// <summary>Gives the project a secret kept under the data folder (Aspire: a secret parameter).</summary>
    public static ResourceBuilder<ProjectResource> WithSecret(this ResourceBuilder<ProjectResource> project, string key, string secretName)
    {
        project.Resource.AddSecret(key, secretName);
        return project;
    }

    public static ResourceBuilder<ProjectResource> WithEnvironment(this ResourceBuilder<ProjectResource> project, string key, string? value)
    {
        project.Resource.AddEnvironment(key, () => value);
        return project;
    }
}
