using System.Globalization;

namespace SmartShop.Functions.Tests.Experiments;

/// <summary>A storefront event as JSON, as a test posts it (v2 fields passed as a JSON fragment starting with a comma).</summary>
internal static class StorefrontEvents
{
    public static string Json(string eventId, string type, string userId, string itemId, DateTimeOffset at, string extra) =>
        "{" + string.Create(CultureInfo.InvariantCulture, $"\"eventId\":\"{eventId}\",\"type\":\"{type}\",\"userId\":\"{userId}\",\"itemId\":\"{itemId}\",\"timestamp\":\"{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"") + extra.TrimEnd() + "}";
}
