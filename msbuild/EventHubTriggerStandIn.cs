// Compiled only when the NuGet feed lacks Microsoft.Azure.Functions.Worker.Extensions.EventHubs (see msbuild/EventHubs.targets).
// Same name, namespace and public shape as the real attribute (6.5.x), so the worker SDK emits the same
// eventHubTrigger entry in functions.metadata. Deliberately no [assembly: ExtensionInformation]: the SDK would then
// try to restore the WebJobs extension, which the same feed lacks.
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

[AttributeUsage(AttributeTargets.Parameter)]
[BindingCapabilities(KnownBindingCapabilities.FunctionLevelRetry)]
public sealed class EventHubTriggerAttribute(string eventHubName) : TriggerBindingAttribute, ISupportCardinality
{
    private bool _isBatched = true;

    /// <summary>The event hub to listen to; may be a %AppSetting% expression.</summary>
    public string EventHubName { get; } = eventHubName;

    /// <summary>The consumer group; the host uses $Default when null.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>The app setting (or prefix of identity-based settings) naming the Event Hubs connection.</summary>
    public string? Connection { get; set; }

    /// <summary>Batched delivery (Cardinality.Many) unless set to false.</summary>
    [DefaultValue(true)]
    public bool IsBatched
    {
        get => _isBatched;
        set => _isBatched = value;
    }

    Cardinality ISupportCardinality.Cardinality
    {
        get => _isBatched ? Cardinality.Many : Cardinality.One;
        set => _isBatched = value == Cardinality.Many;
    }
}
