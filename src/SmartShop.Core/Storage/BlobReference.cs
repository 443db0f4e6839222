using System.Diagnostics.CodeAnalysis;

namespace SmartShop.Core.Storage;

/// <summary>
/// A blob that a client names as <c>container/name</c>. Only a strict alphabet is accepted (ASCII letters, digits,
/// '-', '_', '.' and '/' between non-empty segments, no segment of dots only), because blob names are dot-normalised
/// by the SDK's URI handling and by the service: <c>uploads/a/../../models/x</c> would otherwise address another
/// container. Percent-encoded forms, backslashes, a leading '/', Unicode dots and look-alikes are all refused by the
/// alphabet itself, so a parsed reference always maps to exactly one blob in one of the allowed containers.
/// </summary>
public sealed record BlobReference
{
    public const int MaxLength = 256;

    private BlobReference(string container, string name)
    {
        Container = container;
        Name = name;
    }

    public string Container { get; }

    /// <summary>The blob's name inside <see cref="Container"/>.</summary>
    public string Name { get; }

    /// <summary>
    /// Parses <paramref name="value"/>; <paramref name="error"/> says what is wrong without quoting the value, so
    /// callers can answer it as is.
    /// </summary>
    public static bool TryParse(string? value, IReadOnlyCollection<string> containers, [NotNullWhen(true)] out BlobReference? reference, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(containers);
        reference = null;
        error = Check(value, containers);
        if (error is not null)
        {
            return false;
        }

        var slash = value!.IndexOf('/', StringComparison.Ordinal);
        reference = new BlobReference(value[..slash], value[(slash + 1)..]);
        return true;
    }

    /// <summary>A reference the application builds itself (its own containers and names); throws on a bad name.</summary>
    public static BlobReference Of(string container, string name) =>
        TryParse($"{container}/{name}", [container], out var reference, out var error)
            ? reference
            : throw new ArgumentException(error, nameof(name));

    public override string ToString() => $"{Container}/{Name}";

    private static string? Check(string? value, IReadOnlyCollection<string> containers)
    {
        var expected = $"a blob must be named <container>/<name> with a container among {string.Join(", ", containers)}";
        if (string.IsNullOrEmpty(value))
        {
            return $"The name is empty: {expected}.";
        }

        if (value.Length > MaxLength)
        {
            return $"The name is longer than {MaxLength} characters.";
        }

        if (!value.All(IsAllowed))
        {
            return "Blob names may contain only ASCII letters, digits, '-', '_', '.' and '/' (no '%'-encoding, backslashes, spaces or other characters).";
        }

        var segments = value.Split('/');
        if (segments.Length < 2)
        {
            return $"The name has no container: {expected}.";
        }

        if (segments.Any(s => s.Length == 0))
        {
            return "The name has an empty segment (a leading, trailing or doubled '/').";
        }

        if (segments.Any(s => s.All(c => c == '.')))
        {
            return "The name has a '.' or '..' segment.";
        }

        return containers.Contains(segments[0], StringComparer.Ordinal) ? null : $"The container is not readable here: {expected}.";
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/';
}
