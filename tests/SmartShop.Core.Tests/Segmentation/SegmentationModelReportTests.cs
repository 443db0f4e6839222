using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

/// <summary>The training report saved inside the model, the shared input reader and column mappings.</summary>
public sealed class SegmentationModelReportTests
{
    private static readonly SegmentationRun Run = SegmentationEngine.Run(SegmentationTestData.RfmGroups(), new SegmentationOptions { MaxK = 5 });

    [Fact]
    public async Task TheModelKeepsTheRunsMetricsSegmentsAndProjectionThroughSaveAndLoad()
    {
        using var stream = new MemoryStream();
        await SegmentationModelStore.WriteModelAsync(stream, Run.Model);
        stream.Position = 0;

        var report = (await SegmentationModelStore.ReadModelAsync(stream)).Report!;

        report.Metrics.Candidates.Select(c => c.K).Should().Equal(2, 3, 4, 5);
        report.Metrics.Should().BeEquivalentTo(Run.Analysis.Metrics);
        report.Segments.Should().BeEquivalentTo(Run.Analysis.Segments);
        report.Projection.Should().BeEquivalentTo(Run.Analysis.Projection);
        report.Input.Customers.Should().Be(Run.Analysis.Input.Customers);
    }

    [Fact]
    public async Task AModelSavedBeforeTheReportExistedStillLoads()
    {
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Run.Model, SegmentationModelStore.JsonOptions))!.AsObject();
        json.Remove("report");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString()));

        var model = await SegmentationModelStore.ReadModelAsync(stream);

        model.Report.Should().BeNull();
        new SegmentPredictor(model).Predict(SegmentationTestData.RfmGroups().Row(0)).Should().Be(new SegmentPredictor(Run.Model).Predict(SegmentationTestData.RfmGroups().Row(0)));
    }

    [Fact]
    public void ColumnMappingsRenameFieldsAndRejectUnknownOnes()
    {
        var columns = TransactionColumns.FromMappings(["CustomerId=Customer ID", "invoicedate=Date"]);

        columns.Should().Be(new TransactionColumns { CustomerId = "Customer ID", InvoiceDate = "Date" });
        FluentActions.Invoking(() => TransactionColumns.FromMappings(["Shop=Name"])).Should().Throw<ArgumentException>().WithMessage("Unknown column mapping field 'Shop'*");
        FluentActions.Invoking(() => TransactionColumns.FromMappings(["CustomerId="])).Should().Throw<ArgumentException>().WithMessage("A column mapping is Field=Header*");
    }

    [Fact]
    public void TheInputReaderReadsMappedGzipTransactionsAndCustomerTables()
    {
        var csv = "Invoice;Item;Description;Qty;Date;Price;Customer;Country\n" +
                  "1;85123A;a;2;2011-01-01 10:00:00;3.5;100;UK\n" +
                  "2;22423;b;1;2011-01-05 10:00:00;10;200;UK\n" +
                  "3;85123A;a;4;2011-01-07 10:00:00;3.5;100;UK\n";
        var path = Path.Combine(Path.GetTempPath(), $"smartshop-input-{Guid.NewGuid():N}.csv.gz");
        try
        {
            using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            {
                gzip.Write(Encoding.UTF8.GetBytes(csv));
            }

            var input = SegmentationInputReader.ReadFile(path, new SegmentationInputOptions
            {
                Csv = new TransactionCsvOptions
                {
                    Delimiter = ";",
                    Columns = TransactionColumns.FromMappings(["InvoiceNo=Invoice", "StockCode=Item", "Quantity=Qty", "InvoiceDate=Date", "UnitPrice=Price", "CustomerId=Customer"]),
                },
            });

            input.Table.CustomerIds.Should().BeEquivalentTo("100", "200");
            input.Quality!.RowsAccepted.Should().Be(3);
            input.Table[input.Table.IndexOfCustomer("100"), input.Table.IndexOfFeature(CustomerFeatureNames.Frequency)].Should().Be(2);
        }
        finally
        {
            File.Delete(path);
        }

        var table = SegmentationInputReader.Read(new StringReader("id|score\na|1\nb|2\n"), new SegmentationInputOptions { Format = SegmentationInputFormat.Table, Csv = new TransactionCsvOptions { Delimiter = "|" } });
        table.Transactions.Should().BeNull();
        table.Table.FeatureNames.Should().Equal("score");
        table.Columns.Select(c => c.Kind).Should().Equal(CustomerColumnKind.Id, CustomerColumnKind.Numeric);
    }
}
