using SmartShop.Core.Segmentation;

namespace SmartShop.Core.Tests.Segmentation;

public sealed class CustomerTableReaderTests
{
    [Fact]
    public void DetectsNumericAndCategoricalColumnsAndExcludesIds()
    {
        const string csv = "customer_id,age,country,account_id,spend\n1,30,UK,a1,10.5\n2,40,FR,a2,\n3,50,UK,a3,20\n4,35,\"DE\",a4,30\n";

        var table = CustomerTableReader.Read(new StringReader(csv), new CustomerTableOptions { MaxCategoricalLevels = 2 });

        table.Features.CustomerIds.Should().Equal("1", "2", "3", "4");
        table.Features.FeatureNames.Should().Equal("age", "country=UK", "country=DE", "country=(other)", "spend");
        table.Columns.Single(c => c.Name == "account_id").Kind.Should().Be(CustomerColumnKind.Id);
        table.Features.Row(1).ToArray().Should().Equal(40, 0, 0, 1, 20);
        table.Columns.Single(c => c.Name == "spend").Note.Should().Contain("median");
    }

    [Fact]
    public void NonNumericValueInANumericColumnIsAClearError()
    {
        var csv = "id,spend\n" + string.Join('\n', Enumerable.Range(1, 20).Select(i => $"{i},{i * 3}")) + "\n21,abc\n";

        var act = () => CustomerTableReader.Read(new StringReader(csv));

        act.Should().Throw<InvalidDataException>().WithMessage("*'spend' (data row 21)*").Which.Message.Should().NotContain("abc", "errors never echo the file's values");
    }

    [Theory]
    [InlineData("", "*empty*")]
    [InlineData("id,spend\n", "*no rows*")]
    [InlineData("name,spend\nann,1\n", "*No customer id column*")]
    [InlineData("id,spend\n1,2,3\n", "*expected 2 fields*")]
    [InlineData("id,spend\n1,2\n1,3\n", "*more than once*")]
    public void BadTablesAreRejectedWithAReason(string csv, string message)
    {
        var act = () => CustomerTableReader.Read(new StringReader(csv));

        act.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void ReadsOtherDelimiters()
    {
        var table = CustomerTableReader.Read(new StringReader("id;score\n1;2.5\n2;3.5\n"), new CustomerTableOptions { Delimiter = ';' });

        table.Features.FeatureNames.Should().Equal("score");
        table.Features[1, 0].Should().Be(3.5);
    }

    [Fact]
    public void CustomerIdsAreTheSameIdsAsInTransactionsAndEvents()
    {
        var table = CustomerTableReader.Read(new StringReader("customer_id,spend\n17850.0,2.5\ncust-1,3.5\n"), new CustomerTableOptions());

        table.Features.CustomerIds.Should().Equal("17850", "cust-1");
        FluentActions.Invoking(() => CustomerTableReader.Read(new StringReader("customer_id,spend\n17850,2.5\na b,3.5\n"), new CustomerTableOptions()))
            .Should().Throw<InvalidDataException>().WithMessage("Column 'customer_id' (data row 2): a customer id is 1-128 characters of*");
    }
}
