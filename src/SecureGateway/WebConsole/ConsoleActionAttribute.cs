using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;

namespace SecureGateway.WebConsole;

/// <summary>
/// The policy a console page handler that changes something (a POST) needs. Razor Pages authorize whole pages, and a
/// page a reader may see can hold a reviewer's form: each POST handler names its policy, and one without is refused.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ConsoleActionAttribute(string policy) : Attribute
{
    /// <summary>Anyone may post it: signing in.</summary>
    public const string Anyone = "";

    public string Policy { get; } = policy;
}

/// <summary>Enforces <see cref="ConsoleActionAttribute"/> on every POST, after antiforgery: 403 when the role does not allow it.</summary>
internal sealed class ConsoleActionFilter(IAuthorizationService authorization) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (!HttpMethods.IsGet(context.HttpContext.Request.Method) && !HttpMethods.IsHead(context.HttpContext.Request.Method))
        {
            var action = context.HandlerMethod?.MethodInfo.GetCustomAttributes(typeof(ConsoleActionAttribute), false).OfType<ConsoleActionAttribute>().SingleOrDefault();
            var allowed = action is not null
                && (action.Policy == ConsoleActionAttribute.Anyone || (await authorization.AuthorizeAsync(context.HttpContext.User, action.Policy)).Succeeded);
            if (!allowed)
            {
                context.Result = new Microsoft.AspNetCore.Mvc.ContentResult
                {
                    StatusCode = StatusCodes.Status403Forbidden,
                    ContentType = "text/plain; charset=utf-8",
                    Content = $"forbidden: token \"{context.HttpContext.User.Identity?.Name}\" may not do this",
                };
                return;
            }
        }

        await next();
    }
}
