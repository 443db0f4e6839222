using Microsoft.Extensions.Options;

namespace SmartShop.Functions.Auth;

/// <summary>
/// Entra ID (or any OpenID Connect issuer) for the admin routes. Empty Authority and Audience: admin routes rely on
/// the host's admin level (master key) alone. Both set: an admin route also needs a bearer token from that authority,
/// for that audience, carrying <see cref="AdminRole"/> (see docs/http-api.md, "Authentication").
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";
    public const string MetadataPath = ".well-known/openid-configuration";

    /// <summary>The issuer's base address, e.g. https://login.microsoftonline.com/&lt;tenant&gt;/v2.0; signing keys come from its OIDC metadata.</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; empty: the issuer named in the authority's metadata.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>: the API's application id URI or client id.</summary>
    public string? Audience { get; set; }

    /// <summary>The app role (<c>roles</c> claim) an admin token must carry.</summary>
    public string AdminRole { get; set; } = "SmartShop.Admin";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(Audience);

    public Uri MetadataAddress
    {
        get
        {
            var authority = Authority!.Trim();
            return new Uri(authority.EndsWith(MetadataPath, StringComparison.OrdinalIgnoreCase) ? authority : authority.TrimEnd('/') + "/" + MetadataPath);
        }
    }

    /// <summary>The first problem with the settings, or null; the app refuses to start with a half-configured issuer.</summary>
    public string? Problem()
    {
        if (!IsConfigured)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(Authority) || string.IsNullOrWhiteSpace(Audience))
        {
            return "Auth:Authority and Auth:Audience must be set together (or both left empty to rely on the admin key alone).";
        }

        if (!Uri.TryCreate(Authority.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return "Auth:Authority must be an absolute https URI, e.g. https://login.microsoftonline.com/<tenant>/v2.0.";
        }

        return string.IsNullOrWhiteSpace(AdminRole) ? "Auth:AdminRole must not be empty." : null;
    }
}

/// <summary>Stops the app at start with the first problem of <see cref="AuthOptions"/>, naming the settings.</summary>
internal sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
