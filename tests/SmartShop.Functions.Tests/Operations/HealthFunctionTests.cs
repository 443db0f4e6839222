using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SmartShop.Functions.Operations;

namespace SmartShop.Functions.Tests.Operations;

public sealed class HealthFunctionTests
{
    [Fact]
    public void ReportsVersionAndDegradedWhileNoModelIsLoaded()
    {
        var board = new ModelStatusBoard(TimeProvider.System);
        var function = new HealthFunction(board, TimeProvider.System);

        var result = function.Health(new DefaultHttpContext().Request);

        var report = result.Should().BeOfType<OkObjectResult>().Which.Value.Should().BeOfType<HealthReport>().Subject;
        report.Status.Should().Be("degraded");
        report.Version.Should().StartWith("0.1.0");
        report.Models.Should().OnlyContain(m => !m.Loaded && m.Version == null);
    }

    [Fact]
    public void ReportsHealthyWithVersionsOnceEveryModelIsLoaded()
    {
        var board = new ModelStatusBoard(TimeProvider.System);
        board.MarkLoaded(ModelStatusBoard.Recommendations, "20110701-abc");
        board.MarkLoaded(ModelStatusBoard.Segmentation, "20110701-def");
        var function = new HealthFunction(board, TimeProvider.System);

        var report = (HealthReport)((OkObjectResult)function.Health(new DefaultHttpContext().Request)).Value!;

        report.Status.Should().Be("healthy");
        report.Models.Select(m => m.Version).Should().Equal("20110701-abc", "20110701-def");
    }

    [Fact]
    public async Task InvalidRegistrySettingsStopTheAppAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ModelRegistry:ContainerName"] = "Not_A_Container";
        builder.AddSmartShopServices();
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("ContainerName");
    }
}
