using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Privacy;
using SmartShop.Functions.Auth;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Privacy;

/// <summary>
/// <c>/api/v1/customers/{customerId}/data</c>: data-subject requests for one customer. GET exports everything the
/// product holds about the customer as one JSON document; DELETE erases it and answers what was deleted per store.
/// Admin routes (master key; plus an admin token when Entra ID is configured). The work is Core's
/// <see cref="CustomerDataService"/>, the same the CLI's <c>customer-data</c> commands run (docs/privacy.md).
/// </summary>
public sealed class CustomerDataFunctions(CustomerDataService service, AdminAuthorizer authorizer)
{
    public const string Route = "v1/customers/{customerId}/data";

    [Function(nameof(ExportCustomerData))]
    [ApiOperation("Customer data", "Everything held about one customer as one JSON document (data access).",
        Description = "Recent activity, prediction log entries, event-lake lines and dead letters naming the customer (the lake is scanned over CustomerData:LakeScanDays, see `scanned`), the customer's rows in stored analyses, and the customer in the active segmentation and recommendations versions.")]
    [ApiRouteParameter("customerId", "The customer id (" + ClickstreamEventValidator.IdRule + ").")]
    [ApiResponse(StatusCodes.Status200OK, typeof(CustomerDataExport))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["storage-unavailable", "auth-unavailable"])]
    public Task<IActionResult> ExportCustomerData(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route)] HttpRequest request,
        string customerId,
        CancellationToken cancellationToken) =>
        AnswerAsync(request, customerId, async id => new OkObjectResult(await service.ExportAsync(id, cancellationToken).ConfigureAwait(false)), cancellationToken);

    [Function(nameof(EraseCustomerData))]
    [ApiOperation("Customer data", "Erases one customer: deletes and rewrites what is stored, suppresses the customer in models (erasure).",
        Description = "Deletes recent activity and prediction entries, rewrites event-lake and dead-letter blobs and stored analysis results without the customer, deletes those analyses' uploads, and records the erasure: served models treat the customer as unknown from the next erased-list refresh, and the next training run drops the customer. Idempotent; the answer counts what was deleted per store.")]
    [ApiRouteParameter("customerId", "The customer id (" + ClickstreamEventValidator.IdRule + ").")]
    [ApiResponse(StatusCodes.Status200OK, typeof(CustomerDataErasure))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["invalid-parameter"])]
    [ApiResponse(StatusCodes.Status401Unauthorized, Codes = ["unauthorized"])]
    [ApiResponse(StatusCodes.Status403Forbidden, Codes = ["forbidden"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["storage-unavailable", "auth-unavailable"])]
    public Task<IActionResult> EraseCustomerData(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Route)] HttpRequest request,
        string customerId,
        CancellationToken cancellationToken) =>
        AnswerAsync(request, customerId, async id => new OkObjectResult(await service.EraseAsync(id, cancellationToken).ConfigureAwait(false)), cancellationToken);

    private async Task<IActionResult> AnswerAsync(HttpRequest request, string customerId, Func<string, Task<IActionResult>> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.AuthorizeAsync(request, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var query = QueryParameters.Read(request);
        if (!query.IsValid)
        {
            return query.Error;
        }

        if (customerId is null || !ClickstreamEventValidator.IsValidId(customerId))
        {
            return ApiProblem.InvalidParameter("customerId", $"'customerId' must be {ClickstreamEventValidator.IdRule}.");
        }

        try
        {
            return await answer(customerId).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // Every step is idempotent: a client retries the whole request.
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage could not be reached.",
                "The customer's data could not be read or erased completely; send the request again (it is safe to repeat).");
        }
    }
}
