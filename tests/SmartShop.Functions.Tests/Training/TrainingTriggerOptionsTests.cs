using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartShop.Functions.Training;

namespace SmartShop.Functions.Tests.Training;

public sealed class TrainingTriggerOptionsTests
{
    [Fact]
    public void DefaultsArePollingOffAWeekWindowAndTheRuleOfThumbThresholds()
    {
        var options = new TrainingTriggerOptions();

        options.LocalBlobPolling.Should().BeFalse();
        options.RetrainOnDrift.Should().BeFalse();
        options.DriftWindowDays.Should().Be(7);
        (options.DriftWarningPsi, options.DriftAlertPsi).Should().Be((0.1, 0.2));
    }

    [Theory]
    [InlineData("DriftAlertPsi", "0.05", "*Training:DriftAlertPsi must not be below Training:DriftWarningPsi*")]
    [InlineData("LocalPollIntervalSeconds", "0", "*LocalPollIntervalSeconds*")]
    [InlineData("DriftWindowDays", "91", "*DriftWindowDays*")]
    public void InvalidSettingsStopTheAppWithAMessageNamingThem(string key, string value, string message)
    {
        using var host = new TrainingHost(new() { [$"Training:{key}"] = value });

        var read = () => host.Services.GetRequiredService<IOptions<TrainingTriggerOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().WithMessage(message);
    }
}
