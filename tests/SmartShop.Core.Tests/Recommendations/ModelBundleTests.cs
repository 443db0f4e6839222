using System.Text.Json.Nodes;
using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

public sealed class ModelBundleTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "smartshop-bundle-" + Guid.NewGuid().ToString("N"));
    private static readonly RecommenderModel Model = SyntheticShop.Train();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void RoundTripGivesTheSameRecommendations()
    {
        ModelBundle.Save(Model, _directory);
        var loaded = ModelBundle.Load(_directory);

        loaded.Items.Should().Equal(Model.Items);
        loaded.Users.Should().Equal(Model.Users);
        loaded.Info.TrainedTo.Should().Be(Model.Info.TrainedTo);
        var before = new Recommender(Model);
        var after = new Recommender(loaded);
        foreach (var user in Model.Users.Take(10))
        {
            var request = new UserRecommendationRequest { UserId = user, K = 5 };
            after.RecommendForUser(request).Should().Equal(before.RecommendForUser(request));
        }
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, ModelBundle.ManifestName)))!;
        manifest["schemaVersion"]!.GetValue<int>().Should().Be(ModelBundle.SchemaVersion);
        manifest["files"]!.AsArray().Should().OnlyContain(f => f!["sha256"]!.GetValue<string>().Length == 64);
    }

    [Fact]
    public void AlsFactorsAreSavedWithAChecksumAndLoadedBack()
    {
        Model.Als.Should().NotBeNull("ALS is on by default");
        ModelBundle.Save(Model, _directory);
        var loaded = ModelBundle.Load(_directory);

        loaded.Als!.Factors.Should().Be(Model.Als!.Factors);
        for (var u = 0; u < Model.UserCount; u++)
        {
            loaded.Als.UserVector(u).ToArray().Should().Equal(Model.Als.UserVector(u).ToArray());
        }
        loaded.Als.ItemVector(Model.ItemCount - 1).ToArray().Should().Equal(Model.Als.ItemVector(Model.ItemCount - 1).ToArray());

        var path = Path.Combine(_directory, "als.factors");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        FluentActions.Invoking(() => ModelBundle.Load(_directory)).Should().Throw<ModelBundleException>().WithMessage("*als.factors*corrupt*");
    }

    [Fact]
    public void LoadingHoldsEachArrayOnceNotAsBytesAndThenACopy()
    {
        ModelBundle.Save(Model, _directory);
        var binaryBytes = Directory.GetFiles(_directory).Where(f => f.EndsWith(".bin", StringComparison.Ordinal) || f.EndsWith("als.factors", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
        ModelBundle.Load(_directory);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var loaded = ModelBundle.Load(_directory);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The arrays themselves are the binary files' size; reading them as bytes first would double that.
        var jsonBytes = Directory.GetFiles(_directory, "*.json").Sum(f => new FileInfo(f).Length);
        // Measured: 1.0 x the binary size + 6.6 x the JSON size (its text, strings and parser); reading as bytes then copying: 2.0 x + 6.6 x.
        allocated.Should().BeLessThan((binaryBytes * 3 / 2) + (8 * jsonBytes));
        loaded.Items.Should().Equal(Model.Items);
    }

    [Fact]
    public void ModelWithoutAlsHasNoFactorFile()
    {
        var model = SyntheticShop.Train(new RecommenderOptions { Als = null, MaxDegreeOfParallelism = 2 });

        ModelBundle.Save(model, _directory);

        File.Exists(Path.Combine(_directory, "als.factors")).Should().BeFalse();
        ModelBundle.Load(_directory).Als.Should().BeNull();
    }

    [Fact]
    public void CorruptFileIsReportedByName()
    {
        ModelBundle.Save(Model, _directory);
        var path = Path.Combine(_directory, "default.items.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var act = () => ModelBundle.Load(_directory);

        act.Should().Throw<ModelBundleException>().WithMessage("*default.items.bin*corrupt*");
    }

    [Fact]
    public void NewerSchemaVersionIsRejected()
    {
        ModelBundle.Save(Model, _directory);
        var manifestPath = Path.Combine(_directory, ModelBundle.ManifestName);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["schemaVersion"] = ModelBundle.SchemaVersion + 1;
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var act = () => ModelBundle.Load(_directory);

        act.Should().Throw<ModelBundleException>().WithMessage("*Incompatible bundle schema version*");
    }

    [Fact]
    public void MissingOrGarbageManifestFailsClearly()
    {
        Directory.CreateDirectory(_directory);
        FluentActions.Invoking(() => ModelBundle.Load(_directory)).Should().Throw<ModelBundleException>().WithMessage("*Not a model bundle*");
        File.WriteAllText(Path.Combine(_directory, ModelBundle.ManifestName), "{ not json");
        FluentActions.Invoking(() => ModelBundle.Load(_directory)).Should().Throw<ModelBundleException>().WithMessage("*not valid JSON*");
    }
}
