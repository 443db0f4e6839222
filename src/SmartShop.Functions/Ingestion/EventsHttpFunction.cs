using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartShop.Core.Ingestion;
using SmartShop.Core.Telemetry;
using SmartShop.Functions.Http;

namespace SmartShop.Functions.Ingestion;

/// <summary>
/// <c>POST /api/v1/events</c>: the clickstream pipeline for clients without Event Hubs. The body is a JSON array of
/// events or <c>{"events":[...]}</c>; the answer is 202 with the counts. A resent identical body is a duplicate batch.
/// </summary>
public sealed partial class EventsHttpFunction(
    ClickstreamIngestor ingestor,
    SmartShopTelemetry telemetry,
    IOptions<IngestionOptions> options,
    ILogger<EventsHttpFunction> logger)
{
    public const string Source = "http";

    private readonly IngestionOptions _options = options.Value;

    [Function(nameof(PostEvents))]
    [ApiOperation("Ingestion", "Ingests a batch of clickstream events (the Event Hubs pipeline over HTTP).",
        Description = "The body is a JSON array of events or an object `{\"events\": [...]}`. Invalid events are dead-lettered and counted, not refused; a resent identical body is a duplicate batch and changes nothing.")]
    [ApiBody(typeof(ClickstreamEvent[]))]
    [ApiResponse(StatusCodes.Status202Accepted, typeof(EventsAccepted))]
    [ApiResponse(StatusCodes.Status400BadRequest, Codes = ["malformed-body", "unexpected-body-shape", "no-events"])]
    [ApiResponse(StatusCodes.Status413PayloadTooLarge, Codes = ["body-too-large", "too-many-events"])]
    [ApiResponse(StatusCodes.Status503ServiceUnavailable, Codes = ["storage-unavailable"])]
    public async Task<IActionResult> PostEvents(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await RequestBody.ReadAsync(request, _options.MaxRequestBytes, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return ApiProblem.TooLarge(_options.MaxRequestBytes);
        }

        List<string> payloads;
        try
        {
            payloads = ReadEvents(body);
        }
        catch (JsonException)
        {
            return ApiProblem.MalformedBody("The body is not valid JSON; send a JSON array of events or an object {\"events\": [...]}.");
        }
        catch (FormatException exception)
        {
            return ApiProblem.Create(StatusCodes.Status400BadRequest, "unexpected-body-shape", "The body has the wrong shape.", exception.Message);
        }

        if (payloads.Count == 0)
        {
            return ApiProblem.Create(StatusCodes.Status400BadRequest, "no-events", "The request carries no events.", "Send at least one event.");
        }

        if (payloads.Count > _options.MaxEventsPerRequest)
        {
            return ApiProblem.Create(StatusCodes.Status413PayloadTooLarge, "too-many-events", "Too many events in one request.",
                $"A request may carry at most {_options.MaxEventsPerRequest} events; this one has {payloads.Count}.");
        }

        var batch = ClickstreamBatch.FromContent(payloads, Source);
        IngestionSummary summary;
        try
        {
            summary = await ingestor.IngestAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The batch is identified by its content, so the client's retry of the same body is safe.
            LogRequestFailed(logger, exception, batch.Id.Value, payloads.Count);
            return ApiProblem.Create(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "The events could not be stored.",
                "Storage is unavailable; resend the same request later (a resend never duplicates events).");
        }

        IngestionMetrics.Record(telemetry, summary);
        LogRequestIngested(logger, summary.BatchId, summary.Received, summary.Accepted, summary.Rejected, summary.Duplicates);
        return new AcceptedResult(location: null, value: new EventsAccepted(
            summary.BatchId, summary.Received, summary.Accepted, summary.Rejected, summary.Duplicates, summary.AcceptedByType, summary.RejectedByCode));
    }

    /// <summary>Each element's raw JSON text, so the validator sees (and dead letters keep) exactly what was sent.</summary>
    private static List<string> ReadEvents(byte[] body)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        var root = document.RootElement;
        var events = root.ValueKind switch
        {
            JsonValueKind.Array => root,
            JsonValueKind.Object when root.TryGetProperty("events", out var inner) && inner.ValueKind == JsonValueKind.Array => inner,
            _ => throw new FormatException("Expected a JSON array of events or an object with an \"events\" array."),
        };
        return events.EnumerateArray().Select(e => e.GetRawText()).ToList();
    }

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information,
        Message = "Events request {BatchId}: {Received} received, {Accepted} stored, {Rejected} dead-lettered, {Duplicates} duplicates")]
    private static partial void LogRequestIngested(ILogger logger, string batchId, int received, int accepted, int rejected, int duplicates);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "Events request {BatchId} of {EventCount} events could not be stored")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string batchId, int eventCount);
}

/// <summary>The 202 answer of <c>POST /api/v1/events</c>.</summary>
public sealed record EventsAccepted(
    string BatchId,
    int Received,
    int Accepted,
    int Rejected,
    int Duplicates,
    IReadOnlyDictionary<string, int> AcceptedByType,
    IReadOnlyDictionary<string, int> RejectedByCode);
