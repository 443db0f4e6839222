using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class TransactionFeatureBuilderTests
{
    private static List<Transaction> Rows(params string[] rows)
    {
        var reader = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset });
        return [.. reader.Read(TestData.Csv([TestData.Header, .. rows]), new DataQualityReport())];
    }

    [Fact]
    public void ComputesRfmTenureBasketAndProductsWithReturnsSubtracted()
    {
        var rows = Rows(
            "536365,85123A,HEART,6,2011-01-01 08:00:00,2.50,17850.0,United Kingdom",
            "536365,71053,LANTERN,2,2011-01-01 08:00:00,5.00,17850.0,United Kingdom",
            "536400,85123A,HEART,4,2011-01-11 09:00:00,2.50,17850.0,United Kingdom",
            "C536401,85123A,HEART,-2,2011-01-12 09:00:00,2.50,17850.0,United Kingdom",
            "536402,POST,POSTAGE,1,2011-01-12 09:00:00,40.00,17850.0,United Kingdom",
            "536500,22423,CAKESTAND,1,2011-01-20 10:00:00,12.75,13047.0,United Kingdom",
            "536501,22423,CAKESTAND,1,2011-01-20 10:00:00,12.75,,United Kingdom",
            "C536502,22423,CAKESTAND,-1,2011-01-05 10:00:00,12.75,99999.0,United Kingdom");

        var result = TransactionFeatureBuilder.Build(rows);

        var table = result.Features;
        table.CustomerIds.Should().Equal("13047", "17850");
        result.Summary.AnalysisDate.Should().Be(new DateTime(2011, 1, 21));
        result.Summary.CustomersWithOnlyReturns.Should().Be(1);
        var row = table.Row(table.IndexOfCustomer("17850")).ToArray();

        // recency 21 Jan − 11 Jan; 2 invoices; 15 + 10 + 10 − 5 net; tenure from 1 Jan; basket 35 / 2; 2 products.
        row.Should().Equal(10, 2, 30, 20, 17.5, 2);
        table.Row(0).ToArray().Should().Equal(1, 1, 12.75, 1, 12.75, 1);
    }

    [Fact]
    public void TrainBeforeKeepsLaterPurchasesAsHoldoutSpend()
    {
        var rows = Rows(
            "1,22423,CAKESTAND,1,2011-06-01 10:00:00,10,1.0,UK",
            "2,22423,CAKESTAND,3,2011-07-15 10:00:00,10,1.0,UK",
            "3,22423,CAKESTAND,1,2011-07-20 10:00:00,10,2.0,UK");

        var result = TransactionFeatureBuilder.Build(rows, new TransactionFeatureOptions { TrainBefore = new DateTime(2011, 7, 1) });

        result.Features.CustomerIds.Should().Equal("1");
        result.Features[0, 2].Should().Be(10);
        result.HoldoutSpend.Should().BeEquivalentTo(new Dictionary<string, double> { ["1"] = 30, ["2"] = 10 });
        result.Summary.HoldoutRows.Should().Be(2);
    }
}
