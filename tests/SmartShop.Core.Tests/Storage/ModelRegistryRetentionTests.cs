using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

/// <summary>Retention keeps the rollback target and never leaves a pointer naming a deleted version, even mid-activation.</summary>
public sealed class ModelRegistryRetentionTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly string _model = StorageEmulators.UniqueName("model-");
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "smartshop-retention-" + Guid.NewGuid().ToString("N"));
    private readonly RequestHook _hook = new();
    private readonly ModelRegistry _hooked;
    private readonly ModelRegistry _other;

    public ModelRegistryRetentionTests()
    {
        _hooked = new ModelRegistry(new BlobContainers(StorageEmulators.BlobService(_hook)), _clock, keepVersions: 1);
        _other = new ModelRegistry(new BlobContainers(StorageEmulators.BlobService()), _clock, keepVersions: 1);
    }

    public void Dispose()
    {
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task RetentionKeepsThePreviouslyActiveVersionSoARollbackStillLoads()
    {
        await UploadAsync("v1", "v2", "v3");
        (await _other.TryActivateAsync(_model, "v1")).Should().BeTrue();
        (await _other.TryActivateAsync(_model, "v2")).Should().BeTrue();

        (await _other.ApplyRetentionAsync(_model)).Should().BeEmpty("v3 is the newest, v2 active and v1 its rollback target");
        (await _other.TryRollBackAsync(_model)).Should().BeTrue();

        (await _other.GetActiveAsync(_model))!.Version.Should().Be("v1");
        await _other.DownloadVersionAsync(_model, "v1", Path.Combine(_workDirectory, "rolled-back"));
        File.ReadAllText(Path.Combine(_workDirectory, "rolled-back", "weights.bin")).Should().Be("v1");
    }

    [Fact]
    public async Task AVersionActivatedWhileRetentionDeletesItKeepsItsManifestAndFiles()
    {
        await UploadAsync("old", "v2", "v3");
        (await _other.TryActivateAsync(_model, "v3")).Should().BeTrue();
        // Retention has decided to delete "old"; just before its manifest delete, an admin activates "old".
        _hook.Before(RequestMethod.Delete, $"/{_model}/old/{ModelRegistry.ManifestFileName}", async () =>
            (await _other.TryActivateAsync(_model, "old")).Should().BeTrue());

        var deleted = await _hooked.ApplyRetentionAsync(_model);

        _hook.Fired.Should().BeTrue();
        deleted.Should().Equal("v2");
        (await _other.GetActiveAsync(_model))!.Version.Should().Be("old");
        await _other.DownloadVersionAsync(_model, "old", Path.Combine(_workDirectory, "kept"));
        File.ReadAllText(Path.Combine(_workDirectory, "kept", "weights.bin")).Should().Be("old");
    }

    [Fact]
    public async Task AnActivationWhoseVersionRetentionDeletedMeanwhileFailsAndLeavesThePointerAsItWas()
    {
        await UploadAsync("old", "v2", "v3");
        (await _other.TryActivateAsync(_model, "v2")).Should().BeTrue();
        (await _other.TryActivateAsync(_model, "v3")).Should().BeTrue();
        // The activation has checked that "old" exists; before its pointer write lands, retention deletes "old".
        _hook.Before(RequestMethod.Put, $"/{_model}/active", async () =>
            (await _other.ApplyRetentionAsync(_model)).Should().Equal("old"));

        var activate = () => _hooked.TryActivateAsync(_model, "old");

        await activate.Should().ThrowAsync<KeyNotFoundException>();
        _hook.Fired.Should().BeTrue();
        var active = await _other.GetActiveAsync(_model);
        active!.Version.Should().Be("v3");
        active.PreviousVersion.Should().Be("v2");
    }

    private async Task UploadAsync(params string[] versions)
    {
        foreach (var version in versions)
        {
            var directory = Path.Combine(_workDirectory, version);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, ModelRegistry.ManifestFileName), JsonSerializer.Serialize(new { format = "test-bundle", version }));
            File.WriteAllText(Path.Combine(directory, "weights.bin"), version);
            await _other.UploadVersionAsync(_model, version, directory);
            _clock.Now += TimeSpan.FromMinutes(1);
        }
    }

    /// <summary>Runs an action once, before the first request with the given method to a path ending as given is sent.</summary>
    private sealed class RequestHook : HttpPipelinePolicy
    {
        private RequestMethod _method;
        private string? _pathSuffix;
        private Func<Task>? _action;

        public bool Fired { get; private set; }

        public void Before(RequestMethod method, string pathSuffix, Func<Task> action) => (_method, _pathSuffix, _action) = (method, pathSuffix, action);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("The registry uses the asynchronous API.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!Fired && _action is { } action && message.Request.Method == _method
                && message.Request.Uri.Path.EndsWith(_pathSuffix!, StringComparison.Ordinal))
            {
                Fired = true;
                await action();
            }
            await ProcessNextAsync(message, pipeline);
        }
    }
}
