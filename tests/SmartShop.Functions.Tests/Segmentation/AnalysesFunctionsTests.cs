using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SmartShop.Core.Storage;
using SmartShop.Functions.Segmentation;
using SmartShop.Functions.Tests.Http;
using static SmartShop.Functions.Tests.Segmentation.AnalysisRequests;

namespace SmartShop.Functions.Tests.Segmentation;

/// <summary>The analyses routes invoked directly against Azurite with the app's real registrations (synchronous path).</summary>
[Collection(AnalysisUploads.Collection)]
public sealed class AnalysesFunctionsTests : IDisposable
{
    private readonly ApiHost _host = new();
    private readonly AnalysesFunctions _functions;

    public AnalysesFunctionsTests() => _functions = _host.Create<AnalysesFunctions>();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task AnUploadedCsvIsSegmentedStoredAndReadBackWithPagedAssignments()
    {
        var created = Value<AnalysisResource>(
            await _functions.CreateAnalysis(Multipart(Transactions, ("k", "auto"), ("maxK", "5"), ("seed", "7")), default), StatusCodes.Status201Created);

        created.Status.Should().Be(AnalysisStatus.Succeeded);
        created.Source.Should().Be("customers.csv");
        created.Links.Self.Should().Be($"{Route}/{created.Id}");
        created.Links.Dendrogram.Should().BeNull();
        var result = created.Result!;
        result.Elbow.Select(c => c.K).Should().Equal(2, 3, 4, 5);
        result.K.Should().Be(created.K!.Value).And.BeInRange(2, 5);
        result.Segments.Should().HaveCount(result.K);
        result.Segments.Sum(s => s.Size!.Value).Should().Be(result.Customers);
        result.Segments.Should().AllSatisfy(s => s.CentroidZ.Keys.Should().BeEquivalentTo(result.Features));
        result.PcaSample.Should().HaveCount(result.Customers!.Value).And.OnlyContain(p => p.Segment >= 0 && p.Segment < result.K);
        result.Metrics!.Silhouette.Should().Be(created.Silhouette);

        var read = Value<AnalysisResource>(await _functions.GetAnalysis(ApiHost.Get(created.Links.Self), created.Id, default), StatusCodes.Status200OK);
        read.Result.Should().BeEquivalentTo(result);

        var page = Value<AnalysisAssignments>(
            await _functions.GetAnalysisAssignments(ApiHost.Get(created.Links.Assignments!, "page=2&pageSize=10"), created.Id, default), StatusCodes.Status200OK);
        page.Total.Should().Be(result.Customers);
        page.Items.Should().HaveCount(10);
        var all = Value<AnalysisAssignments>(
            await _functions.GetAnalysisAssignments(ApiHost.Get(created.Links.Assignments!, "pageSize=1000"), created.Id, default), StatusCodes.Status200OK);
        page.Items.Should().Equal(all.Items.Skip(10).Take(10));
        var beyond = Value<AnalysisAssignments>(
            await _functions.GetAnalysisAssignments(ApiHost.Get(created.Links.Assignments!, "page=99"), created.Id, default), StatusCodes.Status200OK);
        beyond.Items.Should().BeEmpty();

        ProblemCode(await _functions.GetAnalysisDendrogram(ApiHost.Get("/x"), created.Id, default), StatusCodes.Status404NotFound).Should().Be("no-dendrogram");
    }

    [Fact]
    public async Task AHierarchicalAnalysisOfABlobHasAMergeTree()
    {
        var blobName = $"tests/{Guid.NewGuid():N}.csv";
        var uploads = _host.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobContainers.Uploads);
        await uploads.CreateIfNotExistsAsync();
        await uploads.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(Transactions));

        var created = Value<AnalysisResource>(await _functions.CreateAnalysis(
            ApiHost.Post(Route, $$"""{"blob":"uploads/{{blobName}}","algorithm":"hierarchical","linkage":"average","k":3}"""), default), StatusCodes.Status201Created);
        var tree = Value<AnalysisDendrogram>(await _functions.GetAnalysisDendrogram(ApiHost.Get(created.Links.Dendrogram!), created.Id, default), StatusCodes.Status200OK);

        created.Parameters!.Linkage.Should().Be("average");
        created.Result!.K.Should().Be(3);
        tree.LeafCount.Should().Be(created.Customers);
        tree.LeafCustomerIds.Should().HaveCount(tree.LeafCount);
        tree.Merges.Should().HaveCount(tree.LeafCount - 1);
        tree.Merges[^1].Size.Should().Be(tree.LeafCount);
        tree.Merges.Select(m => m.Height).Should().BeInAscendingOrder("average linkage merges are monotone");

        // Deleting the analysis leaves the client's own blob alone.
        (await _functions.DeleteAnalysis(ApiHost.Get("/x"), created.Id, default)).Should().BeOfType<NoContentResult>();
        (await uploads.GetBlobClient(blobName).ExistsAsync()).Value.Should().BeTrue();
    }

    [Fact]
    public async Task ACustomerTableWithItsOwnDelimiterAndIdColumnIsSegmented()
    {
        var created = Value<AnalysisResource>(await _functions.CreateAnalysis(
            Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"), ("idColumn", "customer_id"), ("k", "2")), default), StatusCodes.Status201Created);

        created.Customers.Should().Be(24);
        created.Result!.Features.Should().Equal("visits", "spend", "channel=store", "channel=web");
    }

    [Fact]
    public async Task AnalysesAreListedNewestFirstAcrossPagesAndDeletedOnce()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(Value<AnalysisResource>(await _functions.CreateAnalysis(
                Multipart(CustomerTable, ("format", "table"), ("delimiter", ";"), ("k", "2")), default), StatusCodes.Status201Created).Id);
        }

        var listed = new List<AnalysisResource>();
        var query = "pageSize=2";
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = Value<AnalysisList>(await _functions.ListAnalyses(ApiHost.Get(Route, query), default), StatusCodes.Status200OK);
            page.Items.Should().OnlyContain(a => a.Result == null, "the list carries summaries only");
            listed.AddRange(page.Items);
            if (page.Next is null)
            {
                break;
            }

            query = page.Next[(page.Next.IndexOf('?', StringComparison.Ordinal) + 1)..];
        }

        listed.Select(a => a.Id).Should().OnlyHaveUniqueItems();
        listed.Select(a => a.CreatedAt).Should().BeInDescendingOrder();
        listed.Select(a => a.Id).Where(ids.Contains).Should().Equal(ids.AsEnumerable().Reverse());

        (await _functions.DeleteAnalysis(ApiHost.Get("/x"), ids[1], default)).Should().BeOfType<NoContentResult>();
        ProblemCode(await _functions.GetAnalysis(ApiHost.Get("/x"), ids[1], default), StatusCodes.Status404NotFound).Should().Be("analysis-not-found");
        ProblemCode(await _functions.DeleteAnalysis(ApiHost.Get("/x"), ids[1], default), StatusCodes.Status404NotFound).Should().Be("analysis-not-found");
        ProblemCode(await _functions.GetAnalysisAssignments(ApiHost.Get("/x"), ids[1], default), StatusCodes.Status404NotFound).Should().Be("analysis-not-found");
        var first = Value<AnalysisList>(await _functions.ListAnalyses(ApiHost.Get(Route, "pageSize=100"), default), StatusCodes.Status200OK);
        first.Items.Select(a => a.Id).Should().NotContain(ids[1]);
    }

    [Fact]
    public async Task BadRequestsAreProblemsWithStableCodes()
    {
        ProblemCode(await _functions.CreateAnalysis(ApiHost.Post(Route, "a,b", "text/csv"), default), StatusCodes.Status415UnsupportedMediaType)
            .Should().Be("unsupported-media-type");
        ProblemCode(await _functions.CreateAnalysis(ApiHost.Post(Route, "{not json"), default), StatusCodes.Status400BadRequest).Should().Be("malformed-body");
        ProblemCode(await _functions.CreateAnalysis(Multipart(null, withContentLength: true, ("k", "3")), default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        ProblemCode(await _functions.CreateAnalysis(ApiHost.Post(Route, """{"blob":"models/segmentation/active"}"""), default), StatusCodes.Status400BadRequest)
            .Should().Be("invalid-parameter");
        ProblemDetail(await _functions.CreateAnalysis(ApiHost.Post(Route, """{"blob":"uploads/missing/none.csv"}"""), default)).Should().Contain("does not exist");

        var cases = new (string Field, string Value, string Expected)[]
        {
            ("k", "0", "'k' must be 'auto' or an integer from 1 to 50."),
            ("algorithm", "dbscan", "'algorithm' must be 'kmeans' or 'hierarchical'."),
            ("linkage", "ward", "'linkage' applies to algorithm=hierarchical only."),
            ("delimiter", "ab", "'delimiter' must be one character such as ',', ';' or '|', or 'tab'."),
            ("map", "Customer=Id", "Unknown column mapping field 'Customer' (fields: InvoiceNo (OrderId), StockCode (ItemId), Description, Quantity, InvoiceDate (Date), UnitPrice (Price), CustomerId, Country)."),
            ("colour", "red", "Unknown parameter 'colour'. Known parameters: file or blob, k, minK, maxK, algorithm, linkage, delimiter, format, idColumn, map, seed, decimalSeparator, dateFormat, encoding, preset, excludeItems."),
            ("decimalSeparator", ";", "'decimalSeparator' must be '.' or ','."),
            ("dateFormat", "%", "'%' is not a .NET date format (e.g. 'dd.MM.yyyy HH:mm', 'yyyy-MM-dd')."),
            ("encoding", "ebcdic", "Unknown encoding 'ebcdic' (supported: utf-8, latin1 (iso-8859-1), windows-1252, utf-16)."),
            ("preset", "amazon", "Unknown data preset 'amazon' (known: online-retail, none)."),
        };
        foreach (var (field, value, expected) in cases)
        {
            var result = await _functions.CreateAnalysis(Multipart(CustomerTable, (field, value)), default);
            ProblemCode(result, StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
            ProblemDetail(result).Should().Be(expected);
        }

        var truncated = Multipart(CustomerTable, ("format", "table"));
        truncated.Body.SetLength(truncated.Body.Length / 2);
        truncated.ContentLength = truncated.Body.Length;
        ProblemCode(await _functions.CreateAnalysis(truncated, default), StatusCodes.Status400BadRequest).Should().Be("malformed-body");
        ProblemCode(await _functions.CreateAnalysis(ApiHost.Get(Route, "colour=red"), default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        ProblemCode(await _functions.ListAnalyses(ApiHost.Get(Route, "continuationToken=forged"), default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        ProblemCode(await _functions.ListAnalyses(ApiHost.Get(Route, "pageSize=101"), default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
        ProblemCode(await _functions.GetAnalysis(ApiHost.Get("/x"), new string('a', 32), default), StatusCodes.Status404NotFound).Should().Be("analysis-not-found");
        ProblemCode(await _functions.GetAnalysis(ApiHost.Get("/x"), "../../etc", default), StatusCodes.Status400BadRequest).Should().Be("invalid-parameter");
    }

    [Fact]
    public async Task AnExportInAnotherDialectIsReadWithTheSameParametersAsTheCli()
    {
        // Rows without quoted fields, so that the test can rewrite them by splitting on commas.
        var lines = Transactions.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains('"', StringComparison.Ordinal)).ToList();
        var comma = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart(string.Join('\n', lines), ("k", "3"), ("seed", "7")), default), StatusCodes.Status201Created);
        var european = string.Join('\n', lines.Select((line, i) => i == 0
            ? "Beleg;Artikel;Text;Menge;Datum;Preis;Kunde;Land"
            : EuropeanRow(line.Split(','))));

        var request = Multipart(european, ("k", "3"), ("seed", "7"),
            ("map", "OrderId=Beleg"), ("map", "ItemId=Artikel"), ("map", "Description=Text"), ("map", "Quantity=Menge"),
            ("map", "Date=Datum"), ("map", "Price=Preis"), ("map", "CustomerId=Kunde"), ("map", "Country=Land"));
        request.QueryString = new QueryString("?decimalSeparator=,&dateFormat=" + Uri.EscapeDataString("dd.MM.yyyy HH:mm:ss"));
        var result = await _functions.CreateAnalysis(request, default);

        var read = Value<AnalysisResource>(result, StatusCodes.Status201Created);
        read.Result!.Customers.Should().Be(comma.Result!.Customers);
        read.Result.Segments.Select(s => s.Size).Should().Equal(comma.Result.Segments.Select(s => s.Size));
        var excluded = Value<AnalysisResource>(await _functions.CreateAnalysis(Multipart(string.Join('\n', lines), ("k", "3"), ("excludeItems", "^(POST|M)$")), default), StatusCodes.Status201Created);
        excluded.Result!.Notes.Should().ContainMatch("input: * rows: item id matches the exclusion rule (first at line *)");
        ProblemDetail(await _functions.CreateAnalysis(Multipart(european, ("k", "3"), ("delimiter", ",")), default))
            .Should().Contain("The header looks semicolon-separated: set the delimiter to ';'.");
    }

    private static string EuropeanRow(string[] f)
    {
        var date = DateTime.ParseExact(f[4], "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        return string.Join(';', f[0], f[1], f[2], f[3], date.ToString("dd.MM.yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), f[5].Replace('.', ','), f[6], f[7]);
    }

    [Fact]
    public async Task InvalidCsvIsA400NamingTheColumnAndRowAndLeavesNothingBehind()
    {
        var before = await CountAnalysesAsync();
        var broken = CustomerTable.Replace("\nc5;", "\nc5;five", StringComparison.Ordinal);

        var result = await _functions.CreateAnalysis(Multipart(broken, ("format", "table"), ("delimiter", ";")), default);

        ProblemCode(result, StatusCodes.Status400BadRequest).Should().Be("invalid-input");
        ProblemDetail(result).Should().Be("Non-numeric value in numeric column 'visits' (data row 6); 23 of 24 values are numbers.");
        ProblemDetail(await _functions.CreateAnalysis(Multipart("InvoiceNo,Quantity\n1,2\n"), default)).Should().Contain("StockCode");
        (await CountAnalysesAsync()).Should().Be(before);
    }

    private async Task<int> CountAnalysesAsync()
    {
        var uploads = _host.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobContainers.Uploads);
        await uploads.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in uploads.GetBlobsAsync(new GetBlobsOptions { Prefix = AnalysisService.UploadPrefix }))
        {
            count++;
        }

        return count;
    }
}
