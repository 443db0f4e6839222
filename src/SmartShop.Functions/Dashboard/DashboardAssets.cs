using System.Collections.Frozen;
using System.Security.Cryptography;

namespace SmartShop.Functions.Dashboard;

/// <summary>One file of the dashboard bundle: its bytes, content type and a strong ETag of the content.</summary>
public sealed record DashboardAsset(string Name, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The dashboard's static files, embedded in this assembly at build time (msbuild/Dashboard.targets, resources named
/// "dashboard/&lt;file&gt;"). Read once; a lookup is a dictionary hit, so a request can never reach the file system.
/// </summary>
public sealed class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    public DashboardAssets()
        : this(ReadEmbedded())
    {
    }

    internal DashboardAssets(IEnumerable<DashboardAsset> assets) =>
        _assets = assets.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);

    public const string IndexName = "index.html";

    /// <summary>False when the app was built from a tree without dashboard/dist, so the bundle is missing.</summary>
    public bool IsBuilt => _assets.ContainsKey(IndexName);

    public IReadOnlyCollection<string> Names => _assets.Keys;

    public DashboardAsset? Find(string name) => _assets.GetValueOrDefault(name);

    public static DashboardAsset Create(string name, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var contentType = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
        return new DashboardAsset(name, content, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
    }

    private static IEnumerable<DashboardAsset> ReadEmbedded()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            yield return Create(resource[ResourcePrefix.Length..], buffer.ToArray());
        }
    }
}
