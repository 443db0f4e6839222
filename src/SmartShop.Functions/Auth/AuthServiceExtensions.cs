using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace SmartShop.Functions.Auth;

public static class AuthServiceExtensions
{
    /// <summary>
    /// <see cref="AuthOptions"/> (validated at start), the issuer's OIDC metadata (fetched on first use, refreshed by
    /// the configuration manager) and <see cref="AdminAuthorizer"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSmartShopAuth(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidation>();
        builder.Services.AddSingleton<IConfigurationManager<OpenIdConnectConfiguration>>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            // Without an issuer no token is ever checked, so no metadata is needed.
            return options.IsConfigured
                ? new ConfigurationManager<OpenIdConnectConfiguration>(options.MetadataAddress.AbsoluteUri, new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = true })
                : new StaticConfigurationManager<OpenIdConnectConfiguration>(new OpenIdConnectConfiguration());
        });
        builder.Services.AddSingleton<AdminAuthorizer>();
        return builder;
    }
}
