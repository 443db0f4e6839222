using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace SmartShop.Functions.Tests.Auth;

/// <summary>
/// An OpenID Connect issuer in memory: an RSA signing key, the metadata the app would fetch (served through a static
/// configuration manager instead of the network) and signed tokens with chosen claims and lifetimes.
/// </summary>
internal sealed class TestTokenIssuer : IDisposable
{
    public const string Authority = "https://login.example.test/tenant-1/v2.0";
    public const string Audience = "api://smartshop-test";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _stranger = RSA.Create(2048);
    private readonly JsonWebTokenHandler _handler = new();

    public TestTokenIssuer()
    {
        Key = new RsaSecurityKey(_rsa) { KeyId = "test-key" };
        var metadata = new OpenIdConnectConfiguration { Issuer = Authority };
        metadata.SigningKeys.Add(Key);
        Metadata = new StaticConfigurationManager<OpenIdConnectConfiguration>(metadata);
    }

    public RsaSecurityKey Key { get; }

    public IConfigurationManager<OpenIdConnectConfiguration> Metadata { get; }

    public static Dictionary<string, string?> Settings => new()
    {
        ["Auth:Authority"] = Authority,
        ["Auth:Audience"] = Audience,
    };

    public void Replace(IServiceCollection services) => services.AddSingleton(Metadata);

    public string Token(
        string[]? roles = null,
        string audience = Audience,
        string issuer = Authority,
        DateTime? expires = null,
        DateTime? notBefore = null,
        bool signedByStranger = false,
        SigningCredentials? signing = null,
        string? tokenType = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["oid"] = "00000000-0000-0000-0000-000000000001" };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        var key = signedByStranger ? new RsaSecurityKey(_stranger) { KeyId = "test-key" } : Key;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = (notBefore ?? now.AddMinutes(-5)).AddSeconds(-1),
            NotBefore = notBefore ?? now.AddMinutes(-5),
            Expires = expires ?? now.AddMinutes(30),
            SigningCredentials = signing ?? new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            TokenType = tokenType,
        });
    }

    public void Dispose()
    {
        _rsa.Dispose();
        _stranger.Dispose();
    }
}
