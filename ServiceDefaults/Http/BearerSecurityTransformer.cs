using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LmsPlatform.ServiceDefaults.Http;

/// <summary>
/// Every API of the platform takes a bearer access token from identity: the OpenAPI document says so, so that the API
/// reference at the gateway's <c>/docs</c> offers an Authorization field and its requests carry the token.
/// </summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from identity (/connect/token). See the README, section Try the API.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
