using System.IO.Compression;
using Azure.Storage.Queues;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using SmartShop.Functions.Tests.Infrastructure;

namespace SmartShop.Functions.Tests.Segmentation;

/// <summary>Request builders and small inputs for the segmentation routes.</summary>
internal static class AnalysisRequests
{
    public const string Route = "/api/" + AnalysesFunctions.Route;

    /// <summary>The first rows of the bundled Online Retail sample (about a hundred customers): fast to segment.</summary>
    public static string Transactions { get; } = SampleLines(2_500);

    /// <summary>A 24-customer table with a categorical column and ';' as delimiter.</summary>
    public static string CustomerTable { get; } = "customer_id;visits;spend;channel\n" + string.Join('\n', Enumerable.Range(0, 24).Select(i =>
        FormattableString.Invariant($"c{i};{(i % 3) * 10 + i % 5};{(i % 4) * 250.5 + i};{(i % 2 == 0 ? "web" : "store")}")));

    /// <summary>
    /// Does what the host does for the analysis's message: receive it, run the queue function, delete it on success.
    /// Other tests' messages in the shared queue are made visible again untouched.
    /// </summary>
    public static async Task DeliverAsync(ApiHost host, string analysisId, CancellationToken cancellationToken)
    {
        var runner = host.Create<AnalysisQueueFunction>();
        var queue = host.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(QueuedAnalyses.QueueName);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            foreach (var message in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), cancellationToken)).Value)
            {
                if (message.MessageText != analysisId)
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
                    continue;
                }

                await runner.RunQueuedAnalysis(message.MessageText, cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"No queue message names analysis {analysisId}.");
    }

    public static HttpRequest Multipart(string csv, params (string Name, string Value)[] fields) =>
        Multipart(csv, withContentLength: true, fields);

    public static HttpRequest Multipart(string? csv, bool withContentLength, params (string Name, string Value)[] fields) =>
        Multipart(csv is null ? null : System.Text.Encoding.UTF8.GetBytes(csv), "customers.csv", withContentLength, fields);

    /// <summary>A file as raw bytes (e.g. gzip) under <paramref name="fileName"/>.</summary>
    public static HttpRequest Multipart(byte[]? file, string fileName, bool withContentLength, params (string Name, string Value)[] fields)
    {
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            content.Add(part, "file", fileName);
        }

        var body = new MemoryStream();
        content.CopyTo(body, null, CancellationToken.None);
        body.Position = 0;
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = Route;
        context.Request.ContentType = content.Headers.ContentType!.ToString();
        context.Request.Body = body;
        if (withContentLength)
        {
            context.Request.ContentLength = body.Length;
        }

        return context.Request;
    }

    public static T Value<T>(IActionResult result, int status)
    {
        var objectResult = result.Should().BeAssignableTo<ObjectResult>().Subject;
        objectResult.StatusCode.Should().Be(status, "the answer was {0}", System.Text.Json.JsonSerializer.Serialize(objectResult.Value));
        return objectResult.Value.Should().BeOfType<T>().Subject;
    }

    /// <summary>The problem's stable code after checking the status.</summary>
    public static string ProblemCode(IActionResult result, int status)
    {
        var problem = Value<ProblemDetails>(result, status);
        return (string)problem.Extensions["code"]!;
    }

    public static string ProblemDetail(IActionResult result) =>
        ((ProblemDetails)((ObjectResult)result).Value!).Detail!;

    private static string SampleLines(int rows)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Repository.Path("samples", "online-retail-sample.csv.gz")), CompressionMode.Decompress));
        var lines = new List<string>();
        for (var i = 0; i <= rows && reader.ReadLine() is { } line; i++)
        {
            lines.Add(line);
        }

        return string.Join('\n', lines) + "\n";
    }
}
