using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace SmartShop.Functions.Telemetry;

/// <summary>
/// Replaces the customer id in request paths (<c>v1/users/{userId}/…</c>, <c>v1/customers/{customerId}/…</c>) with
/// its route parameter name, so URLs in spans and logs never carry an id. Item ids and model versions stay: they
/// are not personal. The same rule, in KQL, redacts the host's request telemetry at ingestion (infra/app/redaction.bicep).
/// </summary>
public static partial class RouteRedaction
{
    /// <summary>Span attributes that can hold a request URL or path (OpenTelemetry semantic conventions, old and new).</summary>
    internal static readonly string[] UrlTags = ["url.full", "url.path", "url.original", "http.url", "http.target", "http.route"];

    /// <summary>The text with every customer id segment replaced; the same instance when there is none.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CustomerSegment().Replace(text, match => match.Groups["kind"].Value.Equals("users", StringComparison.OrdinalIgnoreCase) ? "{userId}" : "{customerId}");
    }

    // The segment after v1/users/ or v1/customers/, up to the next '/', '?' or '#', in any case and percent-encoded form.
    [GeneratedRegex(@"(?<=/v1/(?<kind>users|customers)/)[^/?#]+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture)]
    private static partial Regex CustomerSegment();
}

/// <summary>Redacts customer ids in the URL attributes and the name of every span before it is exported.</summary>
public sealed class RouteRedactionProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var tag in RouteRedaction.UrlTags)
        {
            if (data.GetTagItem(tag) is string value)
            {
                var redacted = RouteRedaction.Redact(value);
                if (!ReferenceEquals(redacted, value))
                {
                    data.SetTag(tag, redacted);
                }
            }
        }

        data.DisplayName = RouteRedaction.Redact(data.DisplayName);
    }
}
