using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace SecureGateway.WebConsole;

/// <summary>The query strings of the console's filter forms and their paging links.</summary>
public static class ConsoleQuery
{
    /// <summary>A field left empty in a filter form means no filter.</summary>
    public static string? Filter(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The same page with the same filters, older than <paramref name="before"/> (keyset paging, newest first).</summary>
    public static string OlderPage(HttpRequest request, long before)
    {
        var filters = request.Query.Where(q => q.Key is not ("before" or "handler")).ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        filters["before"] = before.ToString(CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString(request.Path, filters);
    }
}
