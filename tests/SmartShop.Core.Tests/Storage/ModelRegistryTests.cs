using System.Text.Json;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

public sealed class ModelRegistryTests : IDisposable
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly ModelRegistry _registry;
    private readonly string _model = StorageEmulators.UniqueName("model-");
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "smartshop-registry-" + Guid.NewGuid().ToString("N"));

    public ModelRegistryTests()
    {
        _registry = new ModelRegistry(new BlobContainers(StorageEmulators.BlobService()), _clock, keepVersions: 2);
    }

    public void Dispose()
    {
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task UploadedVersionDownloadsWithIdenticalFiles()
    {
        var source = WriteBundle("v1", precision: 0.25);
        File.WriteAllBytes(Path.Combine(source, "item-factors.bin"), [1, 2, 3, 4, 5]);
        Directory.CreateDirectory(Path.Combine(source, "nested"));
        File.WriteAllText(Path.Combine(source, "nested", "vocabulary.txt"), "A\nB\n");

        var info = await _registry.UploadVersionAsync(_model, "v1", source);
        var target = Path.Combine(_workDirectory, "download");
        await _registry.DownloadVersionAsync(_model, "v1", target);

        info.Metrics!.Value.GetProperty("precision").GetDouble().Should().Be(0.25);
        Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(target, f)).Order()
            .Should().Equal("item-factors.bin", "manifest.json", Path.Combine("nested", "vocabulary.txt"), "weights.bin");
        File.ReadAllBytes(Path.Combine(target, "item-factors.bin")).Should().Equal(1, 2, 3, 4, 5);
        File.ReadAllText(Path.Combine(target, "manifest.json")).Should().Be(File.ReadAllText(Path.Combine(source, "manifest.json")));
    }

    [Fact]
    public async Task VersionsAreImmutableAndMissingOnesAreReported()
    {
        await _registry.UploadVersionAsync(_model, "v1", WriteBundle("v1", 0.1));

        var reupload = () => _registry.UploadVersionAsync(_model, "v1", WriteBundle("v1-again", 0.2));
        var download = () => _registry.DownloadVersionAsync(_model, "v9", Path.Combine(_workDirectory, "x"));
        var activate = () => _registry.TryActivateAsync(_model, "v9", expected: null);

        await reupload.Should().ThrowAsync<InvalidOperationException>().WithMessage("*already exists*");
        await download.Should().ThrowAsync<KeyNotFoundException>().WithMessage("*v9*");
        await activate.Should().ThrowAsync<KeyNotFoundException>();
    }

    [Fact]
    public async Task ListsVersionsNewestFirstWithTheirMetrics()
    {
        await _registry.UploadVersionAsync(_model, "v1", WriteBundle("v1", 0.1));
        _clock.Now += TimeSpan.FromMinutes(1);
        await _registry.UploadVersionAsync(_model, "v2", WriteBundle("v2", 0.2));

        var versions = await _registry.ListVersionsAsync(_model);

        versions.Select(v => v.Version).Should().Equal("v2", "v1");
        versions.Select(v => v.Metrics!.Value.GetProperty("precision").GetDouble()).Should().Equal(0.2, 0.1);
    }

    [Fact]
    public async Task ConcurrentActivationsHaveExactlyOneWinnerPerRoundAndReadersNeverSeeATornPointer()
    {
        string[] versions = ["v1", "v2", "v3", "v4", "v5", "v6"];
        foreach (var version in versions)
        {
            await _registry.UploadVersionAsync(_model, version, WriteBundle(version, 0.5));
        }

        using var stopReading = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                // A torn or half-written pointer would fail to parse here.
                var active = await _registry.GetActiveAsync(_model);
                active?.Version.Should().BeOneOf(versions);
                reads++;
            }
        });

        for (var round = 0; round < 4; round++)
        {
            var before = await _registry.GetActiveAsync(_model);
            var results = await Task.WhenAll(versions.Select(async v => (Version: v, Won: await _registry.TryActivateAsync(_model, v, before?.ETag))));

            var winners = results.Where(r => r.Won).ToList();
            winners.Should().ContainSingle($"round {round} had {results.Length} writers on one ETag");
            var after = await _registry.GetActiveAsync(_model);
            after!.Version.Should().Be(winners[0].Version);
            after.PreviousVersion.Should().Be(before?.Version);
        }

        await stopReading.CancelAsync();
        await reader;
        reads.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task RollBackReactivatesThePreviousVersion()
    {
        await _registry.UploadVersionAsync(_model, "v1", WriteBundle("v1", 0.1));
        await _registry.UploadVersionAsync(_model, "v2", WriteBundle("v2", 0.2));
        (await _registry.TryActivateAsync(_model, "v1")).Should().BeTrue();
        (await _registry.TryActivateAsync(_model, "v2")).Should().BeTrue();

        (await _registry.TryRollBackAsync(_model)).Should().BeTrue();

        var active = await _registry.GetActiveAsync(_model);
        active!.Version.Should().Be("v1");
        active.PreviousVersion.Should().Be("v2");
    }

    [Fact]
    public async Task StaleETagLosesAndLeavesThePointerUnchanged()
    {
        await _registry.UploadVersionAsync(_model, "v1", WriteBundle("v1", 0.1));
        await _registry.UploadVersionAsync(_model, "v2", WriteBundle("v2", 0.2));
        (await _registry.TryActivateAsync(_model, "v1", expected: null)).Should().BeTrue();
        var stale = (await _registry.GetActiveAsync(_model))!.ETag;
        (await _registry.TryActivateAsync(_model, "v2", stale)).Should().BeTrue();

        (await _registry.TryActivateAsync(_model, "v1", stale)).Should().BeFalse();
        (await _registry.TryActivateAsync(_model, "v1", expected: null)).Should().BeFalse("the pointer exists already");
        (await _registry.GetActiveAsync(_model))!.Version.Should().Be("v2");
    }

    [Fact]
    public async Task RetentionKeepsTheNewestVersionsAndTheActiveOne()
    {
        string[] versions = ["v1", "v2", "v3", "v4"];
        foreach (var version in versions)
        {
            await _registry.UploadVersionAsync(_model, version, WriteBundle(version, 0.1));
            _clock.Now += TimeSpan.FromMinutes(1);
        }

        (await _registry.TryActivateAsync(_model, "v1")).Should().BeTrue();

        var deleted = await _registry.ApplyRetentionAsync(_model);

        deleted.Should().Equal("v2");
        (await _registry.ListVersionsAsync(_model)).Select(v => v.Version).Should().Equal("v4", "v3", "v1");
        var gone = () => _registry.DownloadVersionAsync(_model, "v2", Path.Combine(_workDirectory, "gone"));
        await gone.Should().ThrowAsync<KeyNotFoundException>();
    }

    [Fact]
    public async Task TheManifestsTrainingRecordIsListedWithTheVersion()
    {
        var source = WriteBundle("v1", precision: 0.5);
        File.WriteAllText(Path.Combine(source, ModelRegistry.ManifestFileName), """{"metrics":{"precision":0.5},"training":{"runId":"run-3","decision":"promoted"}}""");

        await _registry.UploadVersionAsync(_model, "v1", source);
        await _registry.UploadVersionAsync(_model, "v2", WriteBundle("v2", precision: 0.6));

        var versions = await _registry.ListVersionsAsync(_model);
        versions.Single(v => v.Version == "v1").Training!.Value.GetProperty("runId").GetString().Should().Be("run-3");
        versions.Single(v => v.Version == "v2").Training.Should().BeNull();
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("2026-11-24.run_7", true)]
    [InlineData("v1\n", false)]
    [InlineData("../v1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void VersionNamesAreCheckedWholly(string? version, bool valid)
    {
        ModelRegistry.IsValidVersionName(version).Should().Be(valid);
    }

    private string WriteBundle(string name, double precision)
    {
        var directory = Path.Combine(_workDirectory, name);
        Directory.CreateDirectory(directory);
        var manifest = new { format = "test-bundle", version = name, metrics = new { precision } };
        File.WriteAllText(Path.Combine(directory, ModelRegistry.ManifestFileName), JsonSerializer.Serialize(manifest));
        File.WriteAllText(Path.Combine(directory, "weights.bin"), name);
        return directory;
    }
}
