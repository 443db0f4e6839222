using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Tests.Http;

namespace SmartShop.Functions.Tests.Auth;

public sealed class AdminAuthorizerTests : IDisposable
{
    private readonly TestTokenIssuer _issuer = new();
    private readonly ApiHost _host;

    public AdminAuthorizerTests() => _host = new ApiHost(TestTokenIssuer.Settings, _issuer.Replace);

    private AdminAuthorizer Authorizer => _host.Services.GetRequiredService<AdminAuthorizer>();

    [Fact]
    public async Task WithoutIssuerSettingsTheHostsAdminKeyIsTheOnlyGate()
    {
        using var host = new ApiHost();

        var authorizer = host.Services.GetRequiredService<AdminAuthorizer>();

        (await authorizer.AuthorizeAsync(ApiHost.Request("POST"))).Should().BeNull();
    }

    [Fact]
    public async Task AValidTokenWithTheAdminRoleIsAllowed()
    {
        var request = WithBearer(_issuer.Token(roles: ["Reader", "SmartShop.Admin"]));

        (await Authorizer.AuthorizeAsync(request)).Should().BeNull();
    }

    [Fact]
    public async Task AMissingTokenIs401WithAChallenge()
    {
        var request = ApiHost.Request("POST");

        var result = await Authorizer.AuthorizeAsync(request);

        Status(result, "unauthorized").Should().Be(StatusCodes.Status401Unauthorized);
        request.HttpContext.Response.Headers.WWWAuthenticate.ToString().Should().Be("Bearer");
    }

    public static TheoryData<string, string> RejectedTokens => new()
    {
        { "expired", "expired" },
        { "wrong-audience", "wrong audience" },
        { "wrong-issuer", "wrong issuer" },
        { "stranger-key", "bad signature" },
        { "unsigned", "bad signature" },
        { "garbage", "malformed" },
        { "basic", "needs a bearer token" },
        { "rs512-with-the-issuers-key", "bad signature" },
        { "hs256", "bad signature" },
        { "wrong-type", "wrong token type" },
    };

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task AnInvalidTokenIs401NamingTheReason(string kind, string reason)
    {
        var admin = new[] { "SmartShop.Admin" };
        var request = kind switch
        {
            "expired" => WithBearer(_issuer.Token(admin, expires: DateTime.UtcNow.AddMinutes(-10), notBefore: DateTime.UtcNow.AddMinutes(-30))),
            "wrong-audience" => WithBearer(_issuer.Token(admin, audience: "api://someone-else")),
            "wrong-issuer" => WithBearer(_issuer.Token(admin, issuer: "https://evil.example.test/v2.0")),
            "stranger-key" => WithBearer(_issuer.Token(admin, signedByStranger: true)),
            "unsigned" => WithBearer("eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJTbWFydFNob3AuQWRtaW4iXX0."),
            "garbage" => WithBearer("not-a.jwt"),
            "rs512-with-the-issuers-key" => WithBearer(_issuer.Token(admin, signing: new SigningCredentials(_issuer.Key, SecurityAlgorithms.RsaSha512))),
            "hs256" => WithBearer(_issuer.Token(admin, signing: new SigningCredentials(
                new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(new string('k', 64))) { KeyId = "test-key" }, SecurityAlgorithms.HmacSha256))),
            "wrong-type" => WithBearer(_issuer.Token(admin, tokenType: "logout+jwt")),
            _ => ApiHost.Request("POST", configure: r => r.Headers.Authorization = "Basic dXNlcjpwYXNz"),
        };

        var result = await Authorizer.AuthorizeAsync(request);

        Status(result, "unauthorized").Should().Be(StatusCodes.Status401Unauthorized);
        ((ProblemDetails)((ObjectResult)result!).Value!).Detail.Should().Contain(reason);
    }

    [Fact]
    public async Task AValidTokenWithoutTheRoleIs403()
    {
        var result = await Authorizer.AuthorizeAsync(WithBearer(_issuer.Token(roles: ["Reader"])));

        Status(result, "forbidden").Should().Be(StatusCodes.Status403Forbidden);
    }

    [Fact]
    public async Task TheRoleNameIsConfigurable()
    {
        var settings = TestTokenIssuer.Settings;
        settings["Auth:AdminRole"] = "Catalogue.Owner";
        using var host = new ApiHost(settings, _issuer.Replace);
        var authorizer = host.Services.GetRequiredService<AdminAuthorizer>();

        (await authorizer.AuthorizeAsync(WithBearer(_issuer.Token(["Catalogue.Owner"])))).Should().BeNull();
        Status(await authorizer.AuthorizeAsync(WithBearer(_issuer.Token(["SmartShop.Admin"]))), "forbidden").Should().Be(403);
    }

    [Theory]
    [InlineData("https://login.example.test/t/v2.0", "")]
    [InlineData("", "api://x")]
    [InlineData("http://login.example.test/t/v2.0", "api://x")]
    [InlineData("not a uri", "api://x")]
    [InlineData("https://login.example.test/t/v2.0", "api://x", "")]
    public void AHalfConfiguredIssuerStopsTheAppAtStart(string authority, string audience, string adminRole = "SmartShop.Admin")
    {
        using var host = new ApiHost(new() { ["Auth:Authority"] = authority, ["Auth:Audience"] = audience, ["Auth:AdminRole"] = adminRole });

        var read = () => host.Services.GetRequiredService<IOptions<AuthOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().WithMessage(adminRole.Length == 0 ? "*Auth:AdminRole*" : "*Auth:Authority*");
    }

    [Fact]
    public void TheMetadataAddressIsTheAuthoritysWellKnownDocument()
    {
        new AuthOptions { Authority = "https://login.microsoftonline.com/t/v2.0/" }.MetadataAddress.AbsoluteUri
            .Should().Be("https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration");
    }

    public void Dispose()
    {
        _host.Dispose();
        _issuer.Dispose();
    }

    private HttpRequest WithBearer(string token) => ApiHost.Request("POST", configure: r => r.Headers.Authorization = "Bearer " + token);

    private static int? Status(IActionResult? result, string code)
    {
        var problem = (ProblemDetails)((ObjectResult)result!).Value!;
        problem.Extensions["code"].Should().Be(code);
        return problem.Status;
    }

    [Fact]
    public async Task ATokenSignedWithARotatedKeyIsAcceptedAfterOneRefreshOfTheIssuersKeys()
    {
        using var rotated = System.Security.Cryptography.RSA.Create(2048);
        var newKey = new RsaSecurityKey(rotated) { KeyId = "rotated-key" };
        var metadata = new RotatingMetadata(_issuer.Key, newKey);
        using var host = new ApiHost(TestTokenIssuer.Settings, services => services.AddSingleton<IConfigurationManager<OpenIdConnectConfiguration>>(metadata));
        var authorizer = host.Services.GetRequiredService<AdminAuthorizer>();

        var result = await authorizer.AuthorizeAsync(WithBearer(_issuer.Token(["SmartShop.Admin"], signing: new SigningCredentials(newKey, SecurityAlgorithms.RsaSha256))));

        result.Should().BeNull("the refreshed keys hold the new one");
        metadata.Refreshes.Should().Be(1);
        (await authorizer.AuthorizeAsync(WithBearer(_issuer.Token(["SmartShop.Admin"])))).Should().BeNull("the old key is still published");
        metadata.Refreshes.Should().Be(1, "a known key id needs no refresh");
    }

    /// <summary>An issuer that publishes a second key only once asked to refresh, as after a rotation.</summary>
    private sealed class RotatingMetadata(SecurityKey current, SecurityKey next) : IConfigurationManager<OpenIdConnectConfiguration>
    {
        public int Refreshes { get; private set; }

        public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
        {
            var metadata = new OpenIdConnectConfiguration { Issuer = TestTokenIssuer.Authority };
            metadata.SigningKeys.Add(current);
            if (Refreshes > 0)
            {
                metadata.SigningKeys.Add(next);
            }

            return Task.FromResult(metadata);
        }

        public void RequestRefresh() => Refreshes++;
    }
}
