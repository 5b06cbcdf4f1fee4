using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace SecureGateway.Admin;

/// <summary>
/// The admin API's OpenAPI description at <c>/openapi/v1.json</c>, for the security and compliance teams' tooling. It
/// describes <c>/admin</c> only: the GOPROXY endpoints are Go's protocol, documented by Go.
/// </summary>
public static class AdminOpenApi
{
    private const string Bearer = "bearer";

    public static IServiceCollection AddAdminOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("admin/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "SecureGateway admin API",
                    Version = "v1",
                    Description = "Decisions, quarantine review, re-evaluation, consumers, the audit chain and compliance reports. " +
                        "Every call needs a bearer token; roles: auditor (reads), reviewer (auditor + quarantine acts, re-evaluation), admin (everything).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = Bearer,
                    Description = "Gateway:AdminToken, or a token from `token create --name N --role R`.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }];
                return Task.CompletedTask;
            });
        });
}
