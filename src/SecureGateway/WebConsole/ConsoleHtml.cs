using System.Globalization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using SecureGateway.Data.Decisions;

namespace SecureGateway.WebConsole;

/// <summary>How the console writes times, ages and outcomes, the same on every page.</summary>
public static class ConsoleHtml
{
    public static IHtmlContent Time(this IHtmlHelper html, DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var builder = new TagBuilder("time");
        builder.Attributes["datetime"] = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        builder.InnerHtml.Append(utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        return builder;
    }

    /// <summary>The time, or <paramref name="none"/> when there is none.</summary>
    public static IHtmlContent Time(this IHtmlHelper html, DateTimeOffset? time, string none) =>
        time is { } known ? html.Time(known) : new HtmlString(System.Net.WebUtility.HtmlEncode(none));

    public static string Age(this IHtmlHelper html, TimeSpan age) =>
        age.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0.#} days")
        : age.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0.#} hours")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, age.TotalMinutes):0} minutes");

    public static IHtmlContent Outcome(this IHtmlHelper html, DecisionOutcome outcome)
    {
        var name = outcome.ToString().ToLowerInvariant();
        var builder = new TagBuilder("span");
        builder.AddCssClass("outcome");
        builder.AddCssClass(name);
        builder.InnerHtml.Append(name);
        return builder;
    }
}

/// <summary>The console's addresses of a module, a version and a decision.</summary>
public static class Links
{
    public static string Module(string module) => "/console/module?path=" + Uri.EscapeDataString(module);

    public static string Version(string module, string version) =>
        $"/console/version?module={Uri.EscapeDataString(module)}&version={Uri.EscapeDataString(version)}";

    public static string Decision(long id) => "/console/decisions/" + id.ToString(CultureInfo.InvariantCulture);
}
