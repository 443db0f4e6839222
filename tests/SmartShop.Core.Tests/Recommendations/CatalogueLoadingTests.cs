using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

/// <summary>The catalogue file formats: the original CSV, the CSV with the optional columns, and JSON Lines.</summary>
public sealed class CatalogueLoadingTests
{
    [Fact]
    public void TheOriginalFiveColumnCsvStillLoads()
    {
        var catalogue = Catalogue.Load(new StringReader("id,title,category,price,in_stock\n85123A,White heart,Home,2.55,true\n22423,Cake stand,Kitchen,12.75,no\n"));

        catalogue.Find("85123A").Should().Be(new CatalogueItem("85123A", "White heart", "Home", 2.55m, true));
        catalogue.Find("22423")!.InStock.Should().BeFalse();
        catalogue.Items.Should().OnlyContain(i => i.IsProduct && i.ImageUrl == null && i.Attributes == null);
    }

    [Fact]
    public void IdsAreKeptAsSentAndComparedExactly()
    {
        var catalogue = Catalogue.Load(new StringReader("id,title,category,price,in_stock\nsku-a.1,Lower,,1,true\nSKU-A.1,Upper,,2,true\n007,Leading zeros,,3,true\n"));

        catalogue.Items.Should().HaveCount(3);
        catalogue.Find("sku-a.1")!.Title.Should().Be("Lower");
        catalogue.Find("SKU-A.1")!.Title.Should().Be("Upper");
        catalogue.Find("007").Should().NotBeNull();
        catalogue.Find("7").Should().BeNull("ids are never parsed as numbers");
    }

    [Fact]
    public void TheExtendedCsvCarriesTheOptionalColumnsAndAttributes()
    {
        var csv = "id,title,category,price,in_stock,description,currency,image_url,product_url,is_product,attr.colour,attr.size\n"
            + "MUG-1,Red mug,Home > Kitchen > Mugs,4.5,true,\"A red, glazed mug\",GBP,https://cdn.example/m1.jpg,https://shop.example/p/m1,true,red,\n"
            + "POST,Postage,,3,true,,GBP,,,false,,\n";

        var catalogue = Catalogue.Load(new StringReader(csv));

        var mug = catalogue.Find("MUG-1")!;
        mug.Category.Should().Be("Home > Kitchen > Mugs");
        mug.Description.Should().Be("A red, glazed mug");
        mug.Currency.Should().Be("GBP");
        mug.ImageUrl.Should().Be("https://cdn.example/m1.jpg");
        mug.ProductUrl.Should().Be("https://shop.example/p/m1");
        mug.IsProduct.Should().BeTrue();
        mug.Attributes.Should().BeEquivalentTo(new Dictionary<string, string> { ["colour"] = "red" }, "an empty attribute cell is no attribute");
        catalogue.Find("POST")!.IsProduct.Should().BeFalse();
        catalogue.Find("POST")!.IsRecommendable.Should().BeFalse();
    }

    [Theory]
    [InlineData("id,title,category,price,in_stock\nbad id,Mug,,1,true\n", "*line 2*id*")]
    [InlineData("id,title,category,price,in_stock,image_url\nA,Mug,,1,true,ftp://x/y.jpg\n", "*line 2*imageUrl*http*")]
    [InlineData("id,title,category,price,in_stock,currency\nA,Mug,,1,true,pounds\n", "*line 2*currency*")]
    [InlineData("id,title,category,price,in_stock,is_product\nA,Mug,,1,true,maybe\n", "*line 2*is_product*")]
    [InlineData("id,title,category,price,in_stock\nA,,,1,true\n", "*line 2*title*")]
    public void ABadCsvRowFailsWithItsLineAndField(string csv, string message)
    {
        FluentActions.Invoking(() => Catalogue.Load(new StringReader(csv))).Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void JsonLinesLoadWithDefaultsForStockAndProduct()
    {
        var jsonl = """
            {"id":"MUG-1","title":"Red mug","description":"Glazed","category":"Home > Kitchen","price":4.5,"currency":"GBP","imageUrl":"https://cdn.example/m1.jpg","productUrl":"https://shop.example/p/m1","attributes":{"colour":"red"}}

            {"id":"VOUCHER","title":"Gift voucher","price":10,"isProduct":false,"inStock":false}
            """;

        var catalogue = Catalogue.Load(new StringReader(jsonl));

        catalogue.Items.Should().HaveCount(2);
        var mug = catalogue.Find("MUG-1")!;
        (mug.InStock, mug.IsProduct, mug.Price, mug.Description).Should().Be((true, true, 4.5m, "Glazed"));
        mug.Attributes!["colour"].Should().Be("red");
        catalogue.Find("VOUCHER")!.Should().Match<CatalogueItem>(v => !v.IsProduct && !v.InStock);
    }

    [Theory]
    [InlineData("{\"id\":\"A\",\"title\":\"Mug\",\"price\":1}\n{\"id\":\"B\",\"title\":\"Mug\",\"price\":1,\"colour\":\"red\"}\n", "*line 2*")]
    [InlineData("{\"id\":\"A\",\"title\":\"Mug\"}\n", "*line 1*price*")]
    [InlineData("{\"id\":\"A\",\"title\":\"Mug\",\"price\":-1}\n", "*line 1*price*")]
    [InlineData("{\"id\":\"A\",\"title\":\"Mug\",\"price\":1}\n{not json\n", "*line 2*")]
    public void ABadJsonLineFailsWithItsLineNumber(string jsonl, string message)
    {
        FluentActions.Invoking(() => Catalogue.Load(new StringReader(jsonl))).Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void TheRulesBoundEveryField()
    {
        var ok = new CatalogueItem("A", "Mug", null, 1, true);

        CatalogueItemRules.Check(ok).Should().BeNull();
        CatalogueItemRules.Check(ok with { Id = new string('a', 129) }).Should().Contain("id");
        CatalogueItemRules.Check(ok with { Id = "a/b" }).Should().Contain("id");
        CatalogueItemRules.Check(ok with { Title = new string('t', CatalogueItemRules.MaxTitleLength + 1) }).Should().Contain("title");
        CatalogueItemRules.Check(ok with { Description = new string('d', CatalogueItemRules.MaxDescriptionLength + 1) }).Should().Contain("description");
        CatalogueItemRules.Check(ok with { Description = "two\nlines" }).Should().BeNull("descriptions may have line breaks");
        CatalogueItemRules.Check(ok with { Title = "bell\u0007" }).Should().Contain("control");
        CatalogueItemRules.Check(ok with { ProductUrl = "javascript:alert(1)" }).Should().Contain("productUrl");
        CatalogueItemRules.Check(ok with { Price = CatalogueItemRules.MaxPrice + 1 }).Should().Contain("price");
        CatalogueItemRules.Check(ok with { Attributes = Enumerable.Range(0, CatalogueItemRules.MaxAttributes + 1).ToDictionary(i => $"k{i}", i => "v") })
            .Should().Contain("attributes");
        CatalogueItemRules.Check(ok with { Attributes = new Dictionary<string, string> { ["k"] = new('v', CatalogueItemRules.MaxAttributeValueLength + 1) } })
            .Should().Contain("attribute");
    }
}
