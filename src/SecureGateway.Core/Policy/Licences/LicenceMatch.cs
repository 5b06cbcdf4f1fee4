namespace SecureGateway.Policy.Licences;

/// <summary>One licence file of a module and what its text is.</summary>
/// <param name="Spdx">
/// The SPDX id of the best-matching licence text, or <see cref="LicenceDetector.Unknown"/> ("unknown") when the file
/// is a licence file but no SPDX text matches at or above <see cref="LicenceDetector.Threshold"/>, or it cannot be read.
/// </param>
/// <param name="File">The '/'-separated path of the file relative to the module root, e.g. "LICENSE" or "sub/COPYING".</param>
/// <param name="Confidence">
/// Sørensen–Dice coefficient (0–1, four decimals) between the normalised words of the file and of the best SPDX text;
/// for "unknown" the best score found (below the threshold), 0 when the file was unreadable or too large.
/// </param>
public sealed record LicenceMatch(string Spdx, string File, double Confidence);
