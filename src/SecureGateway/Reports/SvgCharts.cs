using System.Globalization;
using System.Net;
using System.Text;

namespace SecureGateway.Reports;

/// <summary>One bar of a stacked bar chart: its label, and a value per series.</summary>
internal sealed record StackedBar(string Label, IReadOnlyList<int> Values);

/// <summary>A series of a chart: its name (in the legend) and CSS colour.</summary>
internal sealed record ChartSeries(string Name, string Colour);

/// <summary>
/// Bar charts as inline SVG, drawn from numbers alone: no script, no fonts or images to load. Every bar carries a
/// <c>&lt;title&gt;</c> (the tooltip and what a screen reader says) with its exact figures; the chart's own title
/// and the tables beside it carry the same information as text.
/// </summary>
internal static class SvgCharts
{
    private const int Width = 960;
    private const int AxisWidth = 48;
    private const int LegendHeight = 28;
    private const int LabelHeight = 22;
    private const int RowHeight = 26;

    private static readonly int[] StepMultiples = [1, 2, 5, 10];

    /// <summary>Vertical stacked bars, e.g. decisions per day by outcome, with a value axis and a legend.</summary>
    public static string StackedBars(string title, IReadOnlyList<StackedBar> bars, IReadOnlyList<ChartSeries> series, int plotHeight = 220)
    {
        var max = Math.Max(1, bars.Count == 0 ? 0 : bars.Max(b => b.Values.Sum()));
        var step = NiceStep(max);
        var top = (int)Math.Ceiling(max / (double)step) * step;
        var height = LegendHeight + plotHeight + LabelHeight;
        var plotWidth = Width - AxisWidth - 8;
        var svg = Open(title, height);

        Legend(svg, series, AxisWidth);
        for (var tick = 0; tick <= top; tick += step)
        {
            var y = LegendHeight + plotHeight - (tick * plotHeight / (double)top);
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{AxisWidth}\" y1=\"{N(y)}\" x2=\"{Width - 8}\" y2=\"{N(y)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{AxisWidth - 6}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{tick}</text>");
        }

        var slot = bars.Count == 0 ? plotWidth : plotWidth / (double)bars.Count;
        var labelEvery = Math.Max(1, (int)Math.Ceiling(bars.Count / 10.0));
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var x = AxisWidth + (i * slot) + (slot * 0.1);
            var y = (double)(LegendHeight + plotHeight);
            var tooltip = $"{bar.Label}: " + string.Join(", ", series.Select((s, j) => $"{bar.Values[j]} {s.Name}"));
            svg.Append(CultureInfo.InvariantCulture, $"<g><title>{E(tooltip)}</title>");
            for (var j = 0; j < series.Count; j++)
            {
                var h = bar.Values[j] * plotHeight / (double)top;
                if (h <= 0)
                {
                    continue;
                }

                y -= h;
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(1, slot * 0.8))}\" height=\"{N(h)}\" fill=\"{series[j].Colour}\"/>");
            }

            svg.Append("</g>");
            if (i % labelEvery == 0)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"axis\" x=\"{N(x + (slot * 0.4))}\" y=\"{LegendHeight + plotHeight + 16}\" text-anchor=\"middle\">{E(bar.Label)}</text>");
            }
        }

        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis-line\" x1=\"{AxisWidth}\" y1=\"{LegendHeight + plotHeight}\" x2=\"{Width - 8}\" y2=\"{LegendHeight + plotHeight}\"/>");
        return Close(svg);
    }

    /// <summary>Horizontal bars, one row per label, longest first as given; labels cut to fit, in full in the tooltip.</summary>
    public static string HorizontalBars(string title, IReadOnlyList<(string Label, long Value)> rows, string colour, string unit)
    {
        const int labelWidth = 300;
        const int valueWidth = 90;
        var max = Math.Max(1L, rows.Count == 0 ? 0 : rows.Max(r => r.Value));
        var barArea = Width - labelWidth - valueWidth;
        var svg = Open(title, Math.Max(1, rows.Count) * RowHeight + 8);
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, value) = rows[i];
            var y = 4 + (i * RowHeight);
            var w = Math.Max(value > 0 ? 2 : 0, value * barArea / (double)max);
            svg.Append(CultureInfo.InvariantCulture, $"<g><title>{E(label)}: {value} {E(unit)}</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{labelWidth - 8}\" y=\"{y + 17}\" text-anchor=\"end\">{E(Cut(label, 44))}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{N(w)}\" height=\"{RowHeight - 8}\" rx=\"2\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{N(labelWidth + w + 6)}\" y=\"{y + 17}\">{value}</text></g>");
        }

        return Close(svg);
    }

    /// <summary>A step of 1, 2 or 5 × 10^n giving at most five grid lines up to <paramref name="max"/>.</summary>
    internal static int NiceStep(int max)
    {
        var rough = Math.Max(1, max / 5.0);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = StepMultiples.Select(m => m * magnitude).First(s => s >= rough);
        return Math.Max(1, (int)step);
    }

    private static StringBuilder Open(string title, int height)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"{E(title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>");
        return svg;
    }

    private static string Close(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void Legend(StringBuilder svg, IReadOnlyList<ChartSeries> series, int x)
    {
        foreach (var s in series)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{s.Colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"legend\" x=\"{x + 18}\" y=\"17\">{E(s.Name)}</text>");
            x += 36 + (s.Name.Length * 8);
        }
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
