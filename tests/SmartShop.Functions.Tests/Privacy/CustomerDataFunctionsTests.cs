using Microsoft.AspNetCore.Http;
using SmartShop.Core.Privacy;
using SmartShop.Functions.Privacy;
using SmartShop.Functions.Recommendations;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Recommendations;
using SmartShop.Functions.Tests.Serving;

namespace SmartShop.Functions.Tests.Privacy;

/// <summary>
/// The customer-data routes invoked in process on the app's registrations (Azurite), with models loaded: an erased
/// customer is unknown to the served models from then on. The workflow runs on storage of its own
/// (<see cref="IsolatedCustomerData"/>): the shared Azurite serves and analyses the same customers for other test classes.
/// </summary>
public sealed class CustomerDataFunctionsTests : IAsyncLifetime
{
    private readonly ApiHost _host = new(replace: IsolatedCustomerData.Register);

    public async Task InitializeAsync()
    {
        await ServingTestModels.PublishRecommenderAsync(_host.Registry, "r1");
        await ServingTestModels.PublishSegmentationAsync(_host.Registry, "s1");
        await _host.Refresh.RefreshAsync();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AnErasedCustomerIsExportedFirstAndThenUnknownToTheServedModels()
    {
        // A customer of both models, from the end of the list (other test classes use the first ones).
        var segmentation = _host.Serving.Segmentation!.Saved.KnownCustomers;
        var customer = ServingTestModels.KnownUsers.Reverse().First(u => segmentation.IndexOfCustomer(u) >= 0);
        var functions = _host.Create<CustomerDataFunctions>();
        (await Segment(customer)).Should().Be(StatusCodes.Status200OK);
        (await Recommendations(customer)).Should().NotContain(RecommendationFunctions.UnknownUserReason);

        var export = ApiResults.Ok<CustomerDataExport>(await functions.ExportCustomerData(ApiHost.Get($"/api/v1/customers/{customer}/data"), customer, CancellationToken.None));
        var erasure = ApiResults.Ok<CustomerDataErasure>(await functions.EraseCustomerData(ApiHost.Request("DELETE"), customer, CancellationToken.None));

        export.ActiveRecommendations.Should().BeEquivalentTo(new ActiveRecommendationsData("r1", KnownUser: true, SuppressedAsErased: false));
        export.ActiveSegmentation!.Version.Should().Be("s1");
        export.ActiveSegmentation.Features.Should().NotBeEmpty();
        erasure.InActiveRecommendations.Should().BeTrue();
        erasure.InActiveSegmentation.Should().BeTrue();
        (await Segment(customer)).Should().Be(StatusCodes.Status404NotFound);
        (await Recommendations(customer)).Should().Contain(RecommendationFunctions.UnknownUserReason);
        var after = ApiResults.Ok<CustomerDataExport>(await functions.ExportCustomerData(ApiHost.Get($"/api/v1/customers/{customer}/data"), customer, CancellationToken.None));
        after.Erasure.Should().NotBeNull();
        after.ActiveRecommendations!.SuppressedAsErased.Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("%2e%2e")]
    public async Task ABadCustomerIdIs400InvalidParameter(string customerId)
    {
        var functions = _host.Create<CustomerDataFunctions>();

        ApiResults.Problem(await functions.ExportCustomerData(ApiHost.Get("/api/v1/customers/x/data"), customerId, CancellationToken.None), 400, "invalid-parameter");
        ApiResults.Problem(await functions.EraseCustomerData(ApiHost.Request("DELETE"), customerId, CancellationToken.None), 400, "invalid-parameter");
        ApiResults.Problem(await functions.EraseCustomerData(ApiHost.Request("DELETE"), new string('a', 129), CancellationToken.None), 400, "invalid-parameter");
    }

    private async Task<int> Segment(string customer)
    {
        var result = await _host.Create<SegmentsFunctions>().GetUserSegment(ApiHost.Get($"/api/v1/users/{customer}/segment"), customer, CancellationToken.None);
        return (result as Microsoft.AspNetCore.Mvc.ObjectResult)?.StatusCode ?? StatusCodes.Status200OK;
    }

    private async Task<IReadOnlyList<string>> Recommendations(string customer)
    {
        var result = await _host.Create<RecommendationFunctions>().GetUserRecommendations(ApiHost.Get($"/api/v1/users/{customer}/recommendations"), customer, CancellationToken.None);
        return ApiResults.Ok<UserRecommendations>(result).Recommendations.SelectMany(r => r.Reasons).ToList();
    }
}
