using SmartShop.Core.Data;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class InteractionSourcesTests
{
    [Fact]
    public void RetailRocketRowsBecomeEventsAndBadRowsAreCounted()
    {
        var report = new DataQualityReport();
        var text = string.Join('\n',
            "timestamp,visitorid,event,itemid,transactionid",
            "1433221332117,257597,view,355908,",
            "1433224214164,992329,addtocart,248676,",
            "1433221999827,111016,transaction,355908,4000",
            "not-a-time,1,view,2,",
            "1433221999827,111016,wink,355908,");

        var events = InteractionSources.ReadRetailRocket(new StringReader(text), report, maxMalformedRatio: 0.5);

        events.Select(e => e.Kind).Should().Equal(InteractionKind.View, InteractionKind.AddToCart, InteractionKind.Purchase);
        events[2].BasketId.Should().Be("4000");
        events[0].Timestamp.Should().Be(DateTime.UnixEpoch.AddMilliseconds(1433221332117));
        report.RowsMalformed.Should().Be(2);
        report.FirstMalformed.Select(r => r.LineNumber).Should().Equal(5, 6);
    }

    [Fact]
    public void MostlyGarbageFileFails()
    {
        var text = "timestamp,visitorid,event,itemid,transactionid\n1,1,view,1,\nx,y,z\n???\n";
        FluentActions.Invoking(() => InteractionSources.ReadRetailRocket(new StringReader(text), new DataQualityReport()))
            .Should().Throw<InvalidDataException>().WithMessage("*mostly malformed*");
    }

    [Fact]
    public void ClickstreamJsonLinesAreParsedDeduplicatedAndValidated()
    {
        var report = new DataQualityReport();
        var text = string.Join('\n',
            """{"eventId":"e1","type":"view","userId":"u1","itemId":"A","timestamp":"2024-05-01T10:00:00Z"}""",
            """{"eventId":"e1","type":"view","userId":"u1","itemId":"A","timestamp":"2024-05-01T10:00:00Z"}""",
            """{"eventId":"e2","type":"purchase","userId":"u1","itemId":"B","timestamp":"2024-05-01T10:05:00Z","quantity":2,"price":3.5}""",
            """{"eventId":"e3","type":"teleport","userId":"u1","itemId":"B","timestamp":"2024-05-01T10:05:00Z"}""",
            "{ broken",
            """{"eventId":"e4","type":"removefromcart","userId":"u2","itemId":"C","timestamp":"2024-05-01T11:00:00+02:00"}""");

        var events = InteractionSources.ReadClickstream(new StringReader(text), report, maxMalformedRatio: 0.5);

        events.Should().HaveCount(3);
        events[1].Should().Be(new InteractionEvent("u1", "B", new DateTime(2024, 5, 1, 10, 5, 0, DateTimeKind.Utc), InteractionKind.Purchase, 2, 3.5));
        events[2].Timestamp.Should().Be(new DateTime(2024, 5, 1, 9, 0, 0, DateTimeKind.Utc));
        report.RowsMalformed.Should().Be(2);
    }

    [Fact]
    public void RepeatedRetailRocketRowsCountOnceAndAWrongHeaderOrEmptyFileFails()
    {
        var report = new DataQualityReport();
        var text = "timestamp,visitorid,event,itemid,transactionid\n1433221332117,1,view,2,\n1433221332117,1,view,2,\n1433221332118,1,transaction,2,9\n";

        var events = InteractionSources.ReadRetailRocket(new StringReader(text), report);

        events.Should().Equal(
            new InteractionEvent("1", "2", DateTime.UnixEpoch.AddMilliseconds(1433221332117), InteractionKind.View),
            new InteractionEvent("1", "2", DateTime.UnixEpoch.AddMilliseconds(1433221332118), InteractionKind.Purchase, BasketId: "9"));
        report.RowsMalformed.Should().Be(0);
        FluentActions.Invoking(() => InteractionSources.ReadRetailRocket(new StringReader("visitorid,timestamp\n1,2\n"), new DataQualityReport()))
            .Should().Throw<InvalidDataException>().WithMessage("*header*");
        FluentActions.Invoking(() => InteractionSources.ReadRetailRocket(new StringReader(""), new DataQualityReport()))
            .Should().Throw<InvalidDataException>().WithMessage("*empty*");
    }

    [Fact]
    public void ClickstreamUsesTheIngestionRulesButAcceptsOldEvents()
    {
        var report = new DataQualityReport();
        var text = string.Join('\n',
            """{"eventId":"e1","type":"view","sessionId":"s1","itemId":"A","timestamp":"2010-12-01T08:26:00Z"}""",
            "",
            """{"eventId":"e2","type":"view","userId":"bad id!","itemId":"A","timestamp":"2010-12-01T08:26:00Z"}""",
            """{"eventId":"e3","type":"purchase","userId":"u1","itemId":"B","timestamp":"2010-12-01T08:27:00Z","quantity":0}""",
            """{"eventId":"e4","type":"purchase","userId":"u1","itemId":"B","timestamp":"2010-12-01T08:27:00Z","transactionId":"o-1"}""");

        var events = InteractionSources.ReadClickstream(new StringReader(text), report, maxMalformedRatio: 0.9);

        events.Should().Equal(
            new InteractionEvent("s1", "A", new DateTime(2010, 12, 1, 8, 26, 0, DateTimeKind.Utc), InteractionKind.View),
            new InteractionEvent("u1", "B", new DateTime(2010, 12, 1, 8, 27, 0, DateTimeKind.Utc), InteractionKind.Purchase, BasketId: "o-1"));
        report.FirstMalformed.Select(r => r.LineNumber).Should().Equal(3, 4);
        report.FirstMalformed[0].Reason.Should().Contain("userId");
    }

    [Fact]
    public void EventWeightsAndDecayShapeInteractionStrength()
    {
        var now = new DateTime(2024, 6, 1);
        var log = InteractionLog.Build([
            new InteractionEvent("u", "old", now.AddDays(-30), InteractionKind.Purchase, BasketId: "1"),
            new InteractionEvent("u", "new", now, InteractionKind.View, BasketId: "2"),
        ]);
        var options = new InteractionOptions { ViewWeight = 1, PurchaseWeight = 4, HalfLifeDays = 30, Now = now };

        var snapshot = HistorySnapshot.Build(log, log.Count, options, trendingHalfLifeDays: 7);

        var stats = snapshot.UserItems[0].ToDictionary(s => log.ItemIds[s.Item], s => s.Weight);
        stats["old"].Should().BeApproximately(2f, 1e-5f, "a purchase weighs 4 and one half-life has passed");
        stats["new"].Should().BeApproximately(1f, 1e-5f);
    }

    [Fact]
    public void CatalogueIsDerivedFromTheMostFrequentDescriptionAndMedianPrice()
    {
        Transaction T(string description, decimal price) => new("1", "85123A", description, 1, new DateTime(2011, 1, 1), price, "1", "UK");
        var catalogue = Catalogue.FromTransactions([T("HEART HOLDER ", 2m), T("HEART HOLDER", 3m), T("heart holder?", 10m)]);

        var item = catalogue.Find("85123A")!;
        item.Title.Should().Be("HEART HOLDER");
        item.Price.Should().Be(3m);
    }

    [Fact]
    public void CatalogueCsvWithABadPriceNamesTheLine()
    {
        var csv = "id,title,category,price,in_stock\nA,Mug,Kitchen,2.5,true\nB,Plate,Kitchen,abc,false\n";
        FluentActions.Invoking(() => Catalogue.Load(new StringReader(csv)))
            .Should().Throw<InvalidDataException>().WithMessage("*line 3*price*");
        var ok = Catalogue.Load(new StringReader("id,title,category,price,in_stock\na,Mug,Kitchen,2.5,no\n"));
        ok.Find("a").Should().Be(new CatalogueItem("a", "Mug", "Kitchen", 2.5m, false), "ids are kept as sent, never upper-cased");
    }

    [Fact]
    public void ACustomerInAnExportAndTheSameShopperInEventsAndRetailRocketRowsAreOneUser()
    {
        var transactions = new TransactionCsvReader().Read(new StringReader(string.Join('\n',
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
            "o-1,sku-1,Mug,1,2024-03-01 10:00:00,4.5,cust-11706,DE",
            "o-2,sku-2,Plate,1,2024-03-02 10:00:00,9.0,17850.0,DE")), new DataQualityReport());
        var clicks = InteractionSources.ReadClickstream(new StringReader(
            """{"eventId":"e1","type":"view","userId":"cust-11706","itemId":"sku-2","timestamp":"2024-03-03T10:00:00Z"}""" + "\n"), new DataQualityReport());
        var retailRocket = InteractionSources.ReadRetailRocket(new StringReader(
            "timestamp,visitorid,event,itemid,transactionid\n1709460000000,17850,view,sku-1,\n"), new DataQualityReport());

        var events = InteractionSources.FromTransactions(transactions).Concat(clicks).Concat(retailRocket).ToList();

        events.Select(e => e.UserId).Distinct().Should().BeEquivalentTo("cust-11706", "17850");
        events.GroupBy(e => e.UserId).Should().OnlyContain(g => g.Count() == 2);
    }
}
