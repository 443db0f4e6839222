namespace SmartShop.Core.Data;

/// <summary>
/// Names a file's header columns in error messages without echoing its data: messages reach HTTP problem details and
/// analysis records, and a file without a header (or a JSON-lines file read as CSV) would otherwise put a data row, with
/// its customer id, into the answer.
/// </summary>
public static class HeaderText
{
    private const int MaxColumns = 20;
    private const int MaxNameLength = 40;

    /// <summary>"columns found: a, b, c" for a plausible header; otherwise only how many fields the first line has.</summary>
    public static string Describe(IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (header.Count == 0 || !header.All(LooksLikeName))
        {
            return $"the first line ({header.Count} field(s)) does not look like a header row";
        }

        var names = string.Join(", ", header.Take(MaxColumns));
        return header.Count > MaxColumns ? $"columns found: {names}, … ({header.Count} in all)" : $"columns found: {names}";
    }

    // A column name has a letter, is short, and has none of the characters of numbers, dates, JSON or e-mail addresses.
    private static bool LooksLikeName(string name) =>
        name.Length is > 0 and <= MaxNameLength
        && name.Any(char.IsLetter)
        && !name.Any(c => c is '{' or '}' or '[' or ']' or '"' or '\'' or ':' or '=' or '@' || char.IsControl(c))
        && !double.TryParse(name, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
}
