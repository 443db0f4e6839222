using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using SmartShop.Functions.Dashboard;

namespace SmartShop.Functions.Tests.Dashboard;

/// <summary><c>GET /api/dashboard/{*path}</c> with the bundle this build embedded.</summary>
public sealed class DashboardFunctionTests
{
    private readonly DashboardFunction _function = new(new DashboardAssets());

    [Fact]
    public void TheBuildEmbedsThePageTheBundleAndTheStylesheet() =>
        new DashboardAssets().Names.Should().Contain(["index.html", "app.js", "app.css"],
            "the build embeds the committed bundle in dashboard/dist (msbuild/Dashboard.targets)");

    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("app.css", "text/css; charset=utf-8")]
    public void AssetsAreServedWithTheirContentTypeAnETagAndRevalidation(string path, string contentType)
    {
        var request = Request();

        var file = _function.Dashboard(request, path).Should().BeOfType<FileContentResult>().Subject;

        file.ContentType.Should().Be(contentType);
        file.FileContents.Should().NotBeEmpty();
        var headers = request.HttpContext.Response.Headers;
        headers.CacheControl.ToString().Should().Be("no-cache");
        headers.ETag.ToString().Should().MatchRegex("^\"[0-9a-f]{32}\"$");
        headers.XContentTypeOptions.ToString().Should().Be("nosniff");
    }

    [Fact]
    public void TheRootServesThePageWithAStrictContentSecurityPolicy()
    {
        var request = Request("/api/dashboard/");

        var file = _function.Dashboard(request, null).Should().BeOfType<FileContentResult>().Subject;

        Encoding.UTF8.GetString(file.FileContents).Should().Contain("<title>SmartShop dashboard</title>").And.Contain("src=\"app.js\"");
        request.HttpContext.Response.Headers.ContentSecurityPolicy.ToString().Should().Contain("default-src 'none'").And.Contain("script-src 'self'");
    }

    [Fact]
    public void WithoutATrailingSlashTheRootRedirectsSoRelativeAssetUrlsResolve() =>
        _function.Dashboard(Request("/api/dashboard", "?x=1"), null).Should().BeOfType<RedirectResult>()
            .Which.Url.Should().Be("/api/dashboard/?x=1");

    [Fact]
    public void AnUnchangedAssetAnswers304()
    {
        var first = Request();
        _function.Dashboard(first, "app.js");
        var again = Request();
        again.Headers.IfNoneMatch = first.HttpContext.Response.Headers.ETag;

        _function.Dashboard(again, "app.js").Should().BeOfType<StatusCodeResult>().Which.StatusCode.Should().Be(304);
    }

    [Theory]
    [InlineData("../host.json")]
    [InlineData("..")]
    [InlineData("..%2fhost.json")]
    [InlineData("a/app.js")]
    [InlineData("a\\app.js")]
    [InlineData(".env")]
    [InlineData("app.js\0")]
    [InlineData("/etc/passwd")]
    public void PathsThatAreNotPlainFileNamesAreRefused(string path) =>
        ProblemOf(_function.Dashboard(Request(), path)).Should().Be((400, "invalid-parameter"));

    [Fact]
    public void AnUnknownAssetIs404() =>
        ProblemOf(_function.Dashboard(Request(), "missing.js")).Should().Be((404, "asset-not-found"));

    [Fact]
    public void ABuildWithoutTheBundleSaysHowToBuildIt()
    {
        var unbuilt = new DashboardFunction(new DashboardAssets([]));

        var result = (ObjectResult)unbuilt.Dashboard(Request(), null);

        ProblemOf(result).Should().Be((503, "dashboard-not-built"));
        ((ProblemDetails)result.Value!).Detail.Should().Contain("npm run build:dashboard");
    }

    private static (int?, string?) ProblemOf(IActionResult result)
    {
        var problem = result.Should().BeAssignableTo<ObjectResult>().Which.Value.Should().BeOfType<ProblemDetails>().Subject;
        return (problem.Status, problem.Extensions["code"]?.ToString());
    }

    private static HttpRequest Request(string path = "/api/dashboard/app.js", string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context.Request;
    }
}
