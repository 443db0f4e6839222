namespace SmartShop.Cli;

/// <summary>The bundled Online Retail sample (CC BY 4.0, see samples/README.md), embedded so the demo needs no files.</summary>
internal static class EmbeddedSample
{
    public const string Name = "online-retail-sample.csv.gz";
    public const string Attribution =
        "Data: UCI Online Retail sample (Chen, Sain & Guo 2012), CC BY 4.0 — see samples/README.md.";

    public static Stream Open() =>
        typeof(EmbeddedSample).Assembly.GetManifestResourceStream(Name)
        ?? throw new InvalidOperationException($"The embedded sample '{Name}' is missing from the CLI assembly.");
}
