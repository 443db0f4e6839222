using SmartShop.Core.Data;
using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class ClickstreamFeatureBuilderTests
{
    private const string Clicks = """
        customer_id,session_id,event_type,timestamp
        1,s1,view,2011-01-01T10:00:00Z
        1,s1,view,2011-01-01T10:01:00Z
        1,s2,add_to_cart,2011-01-02T10:00:00Z
        1,s2,view,2011-01-02T10:00:00Z
        1,s2,view,2011-01-02T10:05:00Z
        1,s2,purchase,2011-01-02T10:06:00Z
        7,s9,view,2011-01-03T10:00:00Z
        """;

    [Fact]
    public void ComputesViewsSessionsAndRates()
    {
        var table = ClickstreamFeatureBuilder.Read(new StringReader(Clicks));

        table.CustomerIds.Should().Equal("1", "7");
        table.Row(0).ToArray().Should().Equal(4, 2, 0.25, 0.25);
        table.Row(1).ToArray().Should().Equal(1, 1, 0, 0);
    }

    [Fact]
    public void JoinGivesBrowsersWithoutPurchasesTheWholeWindowAsRecency()
    {
        var reader = new TransactionCsvReader(new TransactionCsvOptions { Preset = TransactionCsvOptions.OnlineRetailPreset });
        var rows = reader.Read(TestData.Csv(TestData.Header, "10,22423,CAKESTAND,1,2011-01-01 10:00:00,10,1.0,UK", "11,22423,CAKESTAND,1,2011-01-09 10:00:00,10,2.0,UK"), new DataQualityReport()).ToList();
        var transactions = TransactionFeatureBuilder.Build(rows);

        var joined = ClickstreamFeatureBuilder.JoinWithTransactions(transactions, ClickstreamFeatureBuilder.Read(new StringReader(Clicks)));

        joined.CustomerIds.Should().Equal("1", "2", "7");
        joined.FeatureCount.Should().Be(10);
        joined.Row(joined.IndexOfCustomer("7")).ToArray().Should().Equal(9, 0, 0, 0, 0, 0, 1, 1, 0, 0);
        joined.Row(joined.IndexOfCustomer("2")).ToArray()[6..].Should().Equal(0, 0, 0, 0);
        joined.Row(joined.IndexOfCustomer("1"))[9].Should().Be(0.25);
    }

    [Fact]
    public void MissingColumnIsNamed()
    {
        var act = () => ClickstreamFeatureBuilder.Read(new StringReader("customer_id,event_type\n1,view\n"));

        act.Should().Throw<InvalidDataException>().WithMessage("*session_id*");
    }
}
