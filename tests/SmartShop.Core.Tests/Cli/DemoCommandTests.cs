using SmartShop.Cli.Commands;

namespace SmartShop.Core.Tests.Cli;

public sealed class DemoCommandTests
{
    [Fact]
    public void DemoRunsOnTheEmbeddedSampleAndCreditsTheSource()
    {
        using var output = new StringWriter();

        DemoCommand.Run(null, new Core.Data.TransactionCsvOptions(), output, CancellationToken.None);

        var text = output.ToString();
        text.Should().Contain("CC BY 4.0");
        text.Should().Contain("786 customers");
        text.Should().Contain("REGENCY CAKESTAND 3 TIER");
        text.Should().Contain("== Recommendations").And.Contain("(bought before)").And.Contain("you viewed)");
    }
}
