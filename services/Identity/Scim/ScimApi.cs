namespace LmsPlatform.Identity.Scim;

public static class ScimApi
{
    public static IEndpointRouteBuilder MapScimApi(this IEndpointRouteBuilder app) => app;
}
