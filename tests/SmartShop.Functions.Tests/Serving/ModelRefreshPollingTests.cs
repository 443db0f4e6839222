using SmartShop.Functions.Serving;
using SmartShop.Functions.Tests.Http;

namespace SmartShop.Functions.Tests.Serving;

/// <summary>The hosted service on its own: a version activated while it runs is served after the next poll.</summary>
public sealed class ModelRefreshPollingTests : IDisposable
{
    private const int PollSeconds = 5;
    private readonly ApiHost _host = new(new() { ["ModelRegistry:PollIntervalSeconds"] = PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task AVersionActivatedWhileRunningIsPickedUpByThePoll()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await _host.Refresh.StartAsync(CancellationToken.None);
        try
        {
            (await ServedVersionAsync("r1", TimeSpan.FromSeconds(20))).Should().Be("r1", "the service loads the active version at start");

            await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r2");

            (await ServedVersionAsync("r2", TimeSpan.FromSeconds(PollSeconds * 4))).Should().Be("r2", "the next poll sees the pointer's new ETag");
        }
        finally
        {
            await _host.Refresh.StopAsync(CancellationToken.None);
        }
    }

    private async Task<string?> ServedVersionAsync(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_host.Serving.Recommendations?.Version != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return _host.Serving.Recommendations?.Version;
    }
}
