using Azure.Storage.Blobs;
using SmartShop.Core.Data;
using SmartShop.Core.Storage;

namespace SmartShop.Core.Tests.Storage;

public sealed class BlobReferenceTests
{
    private static readonly string[] DropZones = [BlobContainers.Uploads, BlobContainers.TrainingData];

    [Theory]
    [InlineData("uploads/customers.csv", "uploads", "customers.csv")]
    [InlineData("training-data/2026/11/sales_export-v2.csv.gz", "training-data", "2026/11/sales_export-v2.csv.gz")]
    [InlineData("uploads/a.b..c/...x", "uploads", "a.b..c/...x")]
    public void ANameOfTheStrictAlphabetInAnAllowedContainerIsParsed(string value, string container, string name)
    {
        BlobReference.TryParse(value, DropZones, out var reference, out var error).Should().BeTrue(error);

        reference!.Container.Should().Be(container);
        reference.Name.Should().Be(name);
        reference.ToString().Should().Be(value);
    }

    [Theory]
    [InlineData("uploads/analyses/../../models/recommendations/active")]
    [InlineData("uploads/../models/x")]
    [InlineData("uploads/./x.csv")]
    [InlineData("uploads/x/..")]
    [InlineData("uploads/%2e%2e/models/x")]
    [InlineData("uploads%2F..%2Fmodels%2Fx")]
    [InlineData("uploads/..%2fmodels/x")]
    [InlineData("uploads/%252e%252e/models/x")]
    [InlineData("/uploads/x.csv")]
    [InlineData("uploads//x.csv")]
    [InlineData("uploads/x.csv/")]
    [InlineData("uploads\\..\\models\\x")]
    [InlineData("uploads/\uFF0E\uFF0E/models/x")]
    [InlineData("uploads/\u2024\u2024/models/x")]
    [InlineData("uploads\u2215..\u2215models\u2215x")]
    [InlineData("uploads/x\u0000.csv")]
    [InlineData("uploads/x .csv")]
    [InlineData("models/recommendations/active")]
    [InlineData("events-rejected/2026/11/24/10/x.jsonl")]
    [InlineData("Uploads/x.csv")]
    [InlineData("uploads")]
    [InlineData("")]
    [InlineData(null)]
    public void TraversalEncodingsLookAlikesAndOtherContainersAreRefused(string? value)
    {
        BlobReference.TryParse(value, DropZones, out var reference, out var error).Should().BeFalse();

        reference.Should().BeNull();
        error.Should().NotBeNullOrWhiteSpace();
        if (value is { Length: > 3 } && !DropZones.Contains(value))
        {
            error.Should().NotContain(value, "the reason is answered to clients and must not echo their input");
        }
    }

    [Fact]
    public void ALongerNameThanTheLimitIsRefused()
    {
        BlobReference.TryParse("uploads/" + new string('a', BlobReference.MaxLength), DropZones, out _, out var error).Should().BeFalse();

        error.Should().Contain(BlobReference.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The property the type exists for: whatever it accepts, the storage SDK addresses exactly that container and
    /// name (no dot-normalisation or decoding moves it). Random names over an alphabet rich in dots and separators.
    /// </summary>
    [Fact]
    public void EveryAcceptedNameAddressesExactlyItsOwnContainerAndName()
    {
        var service = new BlobServiceClient(new Uri("https://account.blob.core.windows.net/"));
        var random = new Random(20261202);
        const string alphabet = "./..%2eE\\/aZ9-_\u2024\uFF0E ";
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var container = DropZones[random.Next(DropZones.Length)];
            var tail = new string(Enumerable.Range(0, random.Next(1, 16)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var value = random.Next(4) == 0 ? tail : $"{container}/{tail}";
            if (!BlobReference.TryParse(value, DropZones, out var reference, out _))
            {
                continue;
            }

            accepted++;
            var uri = service.GetBlobContainerClient(reference.Container).GetBlobClient(reference.Name).Uri;
            uri.AbsolutePath.Should().Be($"/{reference.Container}/{reference.Name}", "'{0}' was accepted", value);
            reference.Name.Split('/').Should().NotContain(s => s.Trim('.').Length == 0);
        }

        accepted.Should().BeGreaterThan(1_000, "the generator must also produce acceptable names");
    }

    [Fact]
    public void TheApplicationsOwnNamesAreBuiltAndBadOnesThrow()
    {
        BlobReference.Of(BlobContainers.Uploads, "analyses/0123.csv").ToString().Should().Be("uploads/analyses/0123.csv");

        var act = () => BlobReference.Of(BlobContainers.Uploads, "../models/x");
        act.Should().Throw<ArgumentException>();
    }
}

public sealed class HeaderTextTests
{
    [Fact]
    public void AHeaderRowIsListed()
    {
        HeaderText.Describe(["customer_id", "Visits", "spend (EUR)"]).Should().Be("columns found: customer_id, Visits, spend (EUR)");
    }

    [Theory]
    [InlineData("536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "17850", "United Kingdom")]
    [InlineData("{\"eventId\":\"e1\"", "\"userId\":\"cust-11706\"", "\"type\":\"view\"}")]
    [InlineData("anna@example.com", "visits")]
    public void ADataRowIsNeverEchoed(params string[] firstLine)
    {
        var text = HeaderText.Describe(firstLine);

        text.Should().Be($"the first line ({firstLine.Length} field(s)) does not look like a header row");
    }

    [Fact]
    public void AWideHeaderIsCut()
    {
        var text = HeaderText.Describe(Enumerable.Range(0, 30).Select(i => $"c{i}").ToList());

        text.Should().EndWith("c19, … (30 in all)").And.NotContain("c20");
    }
}
