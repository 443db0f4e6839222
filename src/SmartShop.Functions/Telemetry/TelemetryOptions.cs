namespace SmartShop.Functions.Telemetry;

/// <summary>Telemetry settings beyond APPLICATIONINSIGHTS_CONNECTION_STRING (which alone switches export on).</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// Key for hashing user ids (HMAC-SHA256) into logs and spans; when empty, user ids are left out of telemetry.
    /// Keep it in Key Vault: whoever has it can test guesses against the hashes.
    /// </summary>
    public string? UserIdHashKey { get; set; }

    /// <summary>
    /// The key to hash with, or null. A Key Vault reference the platform could not resolve (vault unreachable, role
    /// missing) arrives as its own text, "@Microsoft.KeyVault(...)": hashing under that public string would make the
    /// pseudonyms guessable, so user ids are then left out instead.
    /// </summary>
    public string? UsableUserIdHashKey =>
        string.IsNullOrEmpty(UserIdHashKey) || UserIdHashKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase)
            ? null
            : UserIdHashKey;
}
