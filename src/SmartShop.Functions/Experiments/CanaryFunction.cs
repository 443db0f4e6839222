using Microsoft.Azure.Functions.Worker;
using SmartShop.Core.Experiments;

namespace SmartShop.Functions.Experiments;

/// <summary>Judges the running canary experiments on a timer (<c>%CanarySchedule%</c>, every 15 minutes by default).</summary>
public sealed class CanaryFunction(CanaryService canaries)
{
    [Function(nameof(JudgeCanaries))]
    public async Task<int> JudgeCanaries([TimerTrigger("%CanarySchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return (await canaries.JudgeAsync(cancellationToken).ConfigureAwait(false)).Count;
    }
}
