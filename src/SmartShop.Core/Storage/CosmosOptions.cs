namespace SmartShop.Core.Storage;

/// <summary>The Cosmos DB account of the document logs; when <see cref="Endpoint"/> is empty they use Table storage.</summary>
public sealed class CosmosOptions
{
    public const string SectionName = "Cosmos";

    /// <summary>
    /// Account endpoint. A loopback endpoint is the local emulator (well-known key, containers created on first
    /// use); any other endpoint is reached with the app's managed identity, and the infrastructure creates the containers.
    /// </summary>
    public string? Endpoint { get; set; }

    public string DatabaseName { get; set; } = "smartshop";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);
}
