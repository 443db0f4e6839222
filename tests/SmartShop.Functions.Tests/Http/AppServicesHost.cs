using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SmartShop.Functions.Tests.Http;

/// <summary>
/// The app's real registrations (<c>AddSmartShopServices</c>) against Azurite (SMARTSHOP_TEST_STORAGE), with test
/// settings and optional replacements, for invoking HTTP functions directly. Each host gets its own model container.
/// </summary>
internal sealed class AppServicesHost : IDisposable
{
    private readonly IHost _host;

    public AppServicesHost(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? replace = null)
    {
        var storage = Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
        ModelContainer = "models-" + Guid.NewGuid().ToString("N")[..20];
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["ModelRegistry:ContainerName"] = ModelContainer,
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddSmartShopServices();
        replace?.Invoke(builder.Services);
        _host = builder.Build();
    }

    public string ModelContainer { get; }

    public IServiceProvider Services => _host.Services;

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>A request as the ASP.NET Core integration hands it to a function.</summary>
    public HttpRequest Request(string method, string query = "", Action<HttpRequest>? configure = null)
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        http.Request.Method = method;
        http.Request.QueryString = new QueryString(query);
        http.Response.Body = new MemoryStream();
        configure?.Invoke(http.Request);
        return http.Request;
    }

    public void Dispose() => _host.Dispose();
}
