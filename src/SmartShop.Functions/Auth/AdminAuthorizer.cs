using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Auth;

/// <summary>
/// The worker-side half of admin authorization; admin functions call it first. The host has already demanded the
/// admin level (master key) before the worker sees the request. When <see cref="AuthOptions"/> name an issuer, the
/// request must also carry a bearer token validated here (signature from the issuer's OIDC keys, issuer, audience,
/// lifetime) with the admin role: 401 without a valid token, 403 without the role.
/// </summary>
public sealed partial class AdminAuthorizer(
    IOptions<AuthOptions> options,
    IConfigurationManager<OpenIdConnectConfiguration> issuerMetadata,
    ILogger<AdminAuthorizer> logger)
{
    private const string BearerPrefix = "Bearer ";
    private const int MaxTokenLength = 16 * 1024;
    private static readonly string[] RoleClaimTypes = ["roles", "role"];

    private readonly AuthOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Null when the caller may proceed; otherwise the 401/403/503 problem to answer with.</summary>
    public async Task<IActionResult?> AuthorizeAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_options.IsConfigured)
        {
            return null;
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length == BearerPrefix.Length)
        {
            return Unauthorized(request, "This route needs a bearer token (Authorization: Bearer <token>) from the configured issuer.");
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (token.Length > MaxTokenLength)
        {
            return Unauthorized(request, "The bearer token is not valid.");
        }

        OpenIdConnectConfiguration metadata;
        try
        {
            metadata = await issuerMetadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            LogMetadataUnavailable(logger, exception, _options.MetadataAddress);
            request.HttpContext.Response.Headers.RetryAfter = "30";
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "auth-unavailable", "Tokens cannot be checked right now.",
                "The issuer's signing keys could not be loaded; retry after 30 seconds.");
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters(metadata)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key id the cached metadata lacks: the issuer may have rotated its keys. Fetch them again (the
            // configuration manager allows one refresh per RefreshInterval, so a flood of made-up key ids cannot
            // hammer the issuer) and validate once more, instead of refusing valid tokens until the cache expires.
            issuerMetadata.RequestRefresh();
            try
            {
                metadata = await issuerMetadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
                result = await _handler.ValidateTokenAsync(token, Parameters(metadata)).ConfigureAwait(false);
            }
            catch (InvalidOperationException exception)
            {
                LogMetadataUnavailable(logger, exception, _options.MetadataAddress);
            }
        }

        if (!result.IsValid)
        {
            var reason = Reason(result.Exception);
            LogRejected(logger, reason);
            return Unauthorized(request, $"The bearer token was rejected: {reason}.");
        }

        var subject = Subject(result.ClaimsIdentity);
        var roles = result.ClaimsIdentity.Claims.Where(c => RoleClaimTypes.Contains(c.Type, StringComparer.Ordinal)).Select(c => c.Value);
        if (!roles.Contains(_options.AdminRole, StringComparer.Ordinal))
        {
            LogForbidden(logger, subject);
            return ApiProblem.Forbidden(string.Create(CultureInfo.InvariantCulture, $"The token is valid but lacks the app role '{_options.AdminRole}'."));
        }

        LogAuthorized(logger, subject);
        return null;
    }

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration metadata) => new()
    {
        ValidIssuer = string.IsNullOrWhiteSpace(_options.Issuer) ? metadata.Issuer : _options.Issuer.Trim(),
        ValidAudience = _options.Audience!.Trim(),
        IssuerSigningKeys = metadata.SigningKeys,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromMinutes(2),
        // Entra ID signs with RS256; pinning it means no other algorithm (HS256 with a public key as the secret, RS512,
        // none) is ever considered, whatever a token's header says.
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ValidTypes = ["JWT", "at+jwt"],
    };

    /// <summary>A category for the caller (enough to fix their token) without echoing token content.</summary>
    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not yet valid",
        SecurityTokenNoExpirationException => "no expiry",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        // A refused algorithm (anything but RS256) is reported by the handler as a signature failure too.
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenInvalidTypeException => "wrong token type",
        _ => "malformed or unsigned",
    };

    private static ObjectResult Unauthorized(HttpRequest request, string detail)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblem.Unauthorized(detail);
    }

    private static string Subject(System.Security.Claims.ClaimsIdentity identity) =>
        identity.FindFirst("oid")?.Value ?? identity.FindFirst("sub")?.Value ?? "unknown";

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "Admin request rejected: bearer token {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Admin request by {Subject} refused: the admin role is missing")]
    private static partial void LogForbidden(ILogger logger, string subject);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Information, Message = "Admin request authorized for {Subject}")]
    private static partial void LogAuthorized(ILogger logger, string subject);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Error, Message = "OpenID Connect metadata at {MetadataAddress} could not be loaded")]
    private static partial void LogMetadataUnavailable(ILogger logger, Exception exception, Uri metadataAddress);
}
