namespace SecureGateway.Reports;

/// <summary>How a report is rendered.</summary>
public enum ReportFormat
{
    /// <summary>The <see cref="ComplianceReport"/> as camelCase JSON, for tools.</summary>
    Json,

    /// <summary>One RFC 4180 table, one row per fact, a <c>section</c> column first, for spreadsheets.</summary>
    Csv,

    /// <summary>One self-contained page with tables and inline SVG charts, for auditors.</summary>
    Html,
}
