using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace SmartShop.Functions.Http;

/// <summary>
/// Checks ids that arrive in routes and bodies (user and item ids) before they reach a model or a storage key:
/// present, at most <see cref="MaxLength"/> characters, no control characters or lone surrogates, not only spaces.
/// </summary>
public static class RouteIds
{
    public const int MaxLength = 128;

    // Storage keys are the URI-escaped id and hold at most 255 characters (StorageKeys in Core).
    private const int MaxEscapedLength = 255;

    /// <summary>The 400 answer for an unusable id, or null when <paramref name="value"/> is fine.</summary>
    public static ObjectResult? Check(string parameter, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return ApiProblem.InvalidParameter(parameter, $"'{parameter}' must not be empty.");
        }

        if (value.Length > MaxLength)
        {
            return ApiProblem.InvalidParameter(parameter, string.Create(CultureInfo.InvariantCulture, $"'{parameter}' may be at most {MaxLength} characters."));
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return ApiProblem.InvalidParameter(parameter, $"'{parameter}' must not contain control characters.");
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // A lone surrogate would be stored as U+FFFD: the id read back would not be the id sent.
                return ApiProblem.InvalidParameter(parameter, $"'{parameter}' must be well-formed Unicode text.");
            }
        }

        return Uri.EscapeDataString(value).Length > MaxEscapedLength
            ? ApiProblem.InvalidParameter(parameter, string.Create(CultureInfo.InvariantCulture,
                $"'{parameter}' is too long once URI-encoded (at most {MaxEscapedLength} characters)."))
            : null;
    }

    /// <summary>The first unusable id of a list as a 400 answer, or null when all are fine.</summary>
    public static ObjectResult? CheckAll(string parameter, IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Select(v => Check(parameter, v)).FirstOrDefault(error => error is not null);
    }
}
