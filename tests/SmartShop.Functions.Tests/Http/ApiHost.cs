using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SmartShop.Core.Storage;
using SmartShop.Functions.Serving;

namespace SmartShop.Functions.Tests.Http;

/// <summary>
/// The app's real registrations against Azurite (SMARTSHOP_TEST_STORAGE) with a model registry container of its own,
/// so test classes publishing models never see each other's versions. Not started: tests call
/// <see cref="ModelRefreshService.RefreshAsync"/> themselves, and start the log writer when they need it.
/// </summary>
internal sealed class ApiHost : IDisposable
{
    private readonly IHost _host;

    /// <param name="replace">Replaces registrations after the app's own (e.g. the OIDC metadata source of the auth tests).</param>
    public ApiHost(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? replace = null)
    {
        var storage = Environment.GetEnvironmentVariable("SMARTSHOP_TEST_STORAGE") is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["ModelRegistry:ContainerName"] = "models-" + Guid.NewGuid().ToString("N")[..20],
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddSmartShopServices();
        // A catalogue table of its own too: a test deleting or restocking an item never changes another test's catalogue.
        CatalogueTable = "catalogue" + Guid.NewGuid().ToString("N")[..20];
        builder.Services.AddSingleton(sp => new CatalogueStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<TimeProvider>(), CatalogueTable));
        replace?.Invoke(builder.Services);
        _host = builder.Build();
    }

    public IServiceProvider Services => _host.Services;

    public string CatalogueTable { get; }

    public ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    public ServingModels Serving => Services.GetRequiredService<ServingModels>();

    public ModelRefreshService Refresh => Services.GetRequiredService<ModelRefreshService>();

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public static HttpRequest Get(string path, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 || query.StartsWith('?') ? query : "?" + query);
        return context.Request;
    }

    public static HttpRequest Post(string path, string body, string? contentType = "application/json", string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? "" : "?" + query);
        context.Request.ContentType = contentType;
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        return context.Request;
    }

    /// <summary>A bodiless request with a response body to write into; <paramref name="configure"/> sets headers.</summary>
    public static HttpRequest Request(string method, string query = "", Action<HttpRequest>? configure = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.QueryString = new QueryString(query);
        context.Response.Body = new MemoryStream();
        configure?.Invoke(context.Request);
        return context.Request;
    }

    public void Dispose() => _host.Dispose();
}
