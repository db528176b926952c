using LmsPlatform.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
builder.AddLmsPlatform();
builder.Build().Run();
public partial class Program;
