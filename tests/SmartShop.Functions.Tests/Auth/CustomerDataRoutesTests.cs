using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Functions.CatalogueAdmin;
using SmartShop.Functions.Http;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Privacy;

namespace SmartShop.Functions.Tests.Auth;

/// <summary>
/// Routes that answer with customers' own data (segmentation analyses and their assignments, a customer's segment with
/// its figures, a customer's data export and erasure), and the routes that change the catalogue, are admin routes: the host demands the master key, and with Entra ID configured the worker demands an
/// admin token, so the storefront's function key reaches none of them.
/// </summary>
public sealed class CustomerDataRoutesTests : IDisposable
{
    private static readonly string[] CustomerDataFunctions =
    [
        nameof(AnalysesFunctions.CreateAnalysis), nameof(AnalysesFunctions.ListAnalyses), nameof(AnalysesFunctions.GetAnalysis),
        nameof(AnalysesFunctions.GetAnalysisAssignments), nameof(AnalysesFunctions.GetAnalysisDendrogram), nameof(AnalysesFunctions.DeleteAnalysis),
        nameof(SegmentsFunctions.GetUserSegment),
        // Not customers' data, but the shop's catalogue: only the shop's admins change what is recommended.
        nameof(CatalogueFunctions.UpsertCatalogueItems), nameof(CatalogueFunctions.GetCatalogueItem), nameof(CatalogueFunctions.MarkCatalogueItemOutOfStock),
        nameof(CatalogueFunctions.MarkCatalogueItemInStock), nameof(CatalogueFunctions.DeleteCatalogueItem),
        nameof(SmartShop.Functions.Privacy.CustomerDataFunctions.ExportCustomerData), nameof(SmartShop.Functions.Privacy.CustomerDataFunctions.EraseCustomerData),
    ];

    private readonly TestTokenIssuer _issuer = new();
    private readonly ApiHost _host;

    public CustomerDataRoutesTests() => _host = new ApiHost(TestTokenIssuer.Settings, services =>
    {
        _issuer.Replace(services);
        // The admin calls below erase their customer: on storage of their own, never another test's data.
        IsolatedCustomerData.Register(services);
    });

    public void Dispose()
    {
        _host.Dispose();
        _issuer.Dispose();
    }

    [Fact]
    public void EveryRouteWithCustomersDataIsAnAdminRoute()
    {
        var functions = OpenApiDocumentBuilder.HttpFunctions(typeof(ApiProblem).Assembly)
            .Where(f => CustomerDataFunctions.Contains(f.Name)).ToList();

        functions.Select(f => f.Name).Should().BeEquivalentTo(CustomerDataFunctions);
        functions.Should().OnlyContain(f => f.Trigger.AuthLevel == AuthorizationLevel.Admin);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task WithoutAnAdminTokenTheAnswerIs401Or403AndNothingElse(string function)
    {
        (await InvokeAsync(function, authorization: null)).Should().Be(StatusCodes.Status401Unauthorized);
        (await InvokeAsync(function, "Bearer " + _issuer.Token(roles: ["Reader"]))).Should().Be(StatusCodes.Status403Forbidden);
        (await InvokeAsync(function, "Bearer " + _issuer.Token(roles: ["SmartShop.Admin"]))).Should().NotBe(StatusCodes.Status401Unauthorized)
            .And.NotBe(StatusCodes.Status403Forbidden);
    }

    public static TheoryData<string> Functions => new(CustomerDataFunctions);

    private async Task<int> InvokeAsync(string function, string? authorization)
    {
        var (method, type) = new[] { typeof(AnalysesFunctions), typeof(SegmentsFunctions), typeof(CatalogueFunctions), typeof(SmartShop.Functions.Privacy.CustomerDataFunctions) }
            .Select(t => (Method: t.GetMethod(function), Type: t)).Single(m => m.Method is not null);
        var request = ApiHost.Request(method!.GetParameters()[0].GetCustomAttribute<HttpTriggerAttribute>()!.Methods![0].ToUpperInvariant(),
            configure: r =>
            {
                if (authorization is not null)
                {
                    r.Headers.Authorization = authorization;
                }
            });
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(HttpRequest) ? request
            : p.ParameterType == typeof(CancellationToken) ? CancellationToken.None
            : (object)"0123456789abcdef0123456789abcdef").ToArray();
        var instance = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(_host.Services, type);
        var result = await (Task<IActionResult>)method.Invoke(instance, arguments)!;
        return (result as ObjectResult)?.StatusCode ?? (result as StatusCodeResult)?.StatusCode ?? StatusCodes.Status200OK;
    }
}
