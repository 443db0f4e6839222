using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace SmartShop.Functions.Http;

/// <summary>
/// Reads a request's query string strictly: only the names a route declares, each at most once, within length and
/// range limits. The first problem found becomes a 400 answer in <see cref="Error"/>.
/// </summary>
public sealed class QueryParameters
{
    public const int MaxValueLength = 512;

    private readonly IQueryCollection _query;

    private QueryParameters(IQueryCollection query) => _query = query;

    /// <summary>The 400 answer for the first invalid parameter, or null while everything read so far is valid.</summary>
    public ObjectResult? Error { get; private set; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Error is null;

    /// <summary>Starts reading; any name outside <paramref name="allowed"/> is an error (a typo must not be silently ignored).</summary>
    public static QueryParameters Read(HttpRequest request, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new QueryParameters(request.Query);
        foreach (var (name, values) in request.Query)
        {
            if (!allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var known = allowed.Length == 0 ? "none" : string.Join(", ", allowed);
                parameters.Fail(name, $"Unknown query parameter '{ApiProblem.Echo(name)}'. Known parameters: {known}.");
                break;
            }

            if (values.Count > 1)
            {
                parameters.Fail(name, $"Parameter '{name}' is given {values.Count} times; give it once.");
                break;
            }

            if ((values[0]?.Length ?? 0) > MaxValueLength)
            {
                parameters.Fail(name, $"Parameter '{name}' is longer than {MaxValueLength} characters.");
                break;
            }
        }

        return parameters;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="defaultValue"/> when absent.</summary>
    public int WholeNumber(string name, int defaultValue, int min, int max)
    {
        var text = Text(name);
        if (text is null || !IsValid)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Fail(name, string.Create(CultureInfo.InvariantCulture, $"'{name}' must be an integer from {min} to {max}."));
            return defaultValue;
        }

        return value;
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>], or null when absent.</summary>
    public double? Number(string name, double min, double max)
    {
        var text = Text(name);
        if (text is null || !IsValid)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < min || value > max)
        {
            Fail(name, string.Create(CultureInfo.InvariantCulture, $"'{name}' must be a number from {min} to {max}."));
            return null;
        }

        return value;
    }

    /// <summary>A comma-separated list of non-empty values, at most <paramref name="maxCount"/>, or an empty list when absent.</summary>
    public IReadOnlyList<string> List(string name, int maxCount)
    {
        var text = Text(name);
        if (text is null || !IsValid)
        {
            return [];
        }

        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length > maxCount)
        {
            Fail(name, string.Create(CultureInfo.InvariantCulture, $"'{name}' may list at most {maxCount} values."));
            return [];
        }

        return items;
    }

    /// <summary>The trimmed value, or null when absent or empty.</summary>
    public string? Text(string name)
    {
        var value = _query.TryGetValue(name, out var values) ? values.ToString().Trim() : null;
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A label (lower-case letters, digits, '-' or '_', at most 64 characters), or null when absent.</summary>
    public string? Label(string name)
    {
        var value = Text(name);
        if (value is not null && !Core.Attribution.RecommendationContext.IsLabel(value))
        {
            Fail(name, $"'{name}' is a label: 1-{Core.Attribution.RecommendationContext.MaxLabelLength} lower-case letters, digits, '-' or '_'.");
            return null;
        }
        return value;
    }

    private void Fail(string name, string detail) => Error ??= ApiProblem.InvalidParameter(ApiProblem.Echo(name), detail);
}
