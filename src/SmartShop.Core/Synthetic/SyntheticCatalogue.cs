using System.Globalization;

namespace SmartShop.Core.Synthetic;

/// <summary>
/// The generated products: categories, Zipf popularity within each category (so popularity overall is a power law),
/// log-normal prices around a per-category level, and disjoint bundles of two to four products bought together.
/// </summary>
internal sealed class SyntheticCatalogue
{
    private static readonly string[] CategoryNames =
    [
        "Kitchen", "Home Decor", "Garden", "Stationery", "Toys", "Party",
        "Bags", "Jewellery", "Christmas", "Lighting", "Bathroom", "Candles",
    ];

    private static readonly int[] CategoryPriceCents = [295, 425, 375, 125, 165, 85, 210, 250, 145, 495, 325, 195];

    private static readonly string[] Adjectives =
    [
        "VINTAGE", "RETRO", "PINK", "BLUE", "RED", "WHITE", "IVORY", "GREEN", "REGENCY", "PAISLEY", "SPOTTY",
        "GLASS", "ENAMEL", "WOODEN", "ZINC", "PAPER", "FELT", "SET OF 3", "SMALL", "LARGE", "JUMBO", "MINI",
    ];

    private static readonly string[] Motifs =
    [
        "HEART", "STAR", "BIRD", "ROSE", "OWL", "CHERRY", "DAISY", "SKULL", "ROBOT", "FAIRY", "LOVE", "POLKADOT",
        "WOODLAND", "SPACEBOY", "DOLLY GIRL", "SNOWFLAKE", "CAKE", "UNION JACK",
    ];

    private static readonly string[][] Nouns =
    [
        ["TEA SET", "MUG", "CAKE TIN", "LUNCH BOX", "APRON", "TEA TOWEL"],
        ["FRAME", "CUSHION COVER", "WALL CLOCK", "DOORMAT", "SIGN", "VASE"],
        ["WATERING CAN", "PLANT POT", "BIRD FEEDER", "GARDEN KNEELER", "SEED TIN"],
        ["NOTEBOOK", "PENCIL SET", "WRAPPING PAPER", "GREETING CARD", "STICKER SHEET"],
        ["SPINNING TOP", "JIGSAW", "SKIPPING ROPE", "PLAYHOUSE", "SOFT TOY"],
        ["BUNTING", "PAPER CUPS", "NAPKINS", "CAKE CASES", "PARTY BAG"],
        ["JUMBO BAG", "SHOPPER", "PURSE", "WASHBAG", "LUNCH BAG"],
        ["NECKLACE", "BRACELET", "EARRINGS", "HAIR CLIP", "RING"],
        ["BAUBLE", "ADVENT CALENDAR", "STOCKING", "TREE DECORATION", "CRACKER"],
        ["T-LIGHT HOLDER", "LANTERN", "STRING LIGHTS", "NIGHT LIGHT", "LAMP"],
        ["SOAP DISH", "TOOTHBRUSH HOLDER", "BATH SALTS", "HAND TOWEL", "MIRROR"],
        ["SCENTED CANDLE", "PILLAR CANDLE", "CANDLE POT", "INCENSE", "WAX MELT"],
    ];

    private readonly double[][] _cumulativeWeights;

    public SyntheticCatalogue(int products, Xoshiro256StarStar random)
    {
        var categoryCount = CategoryNames.Length;
        Categories = CategoryNames;
        Codes = new string[products];
        Titles = new string[products];
        Category = new int[products];
        PriceCents = new int[products];
        InStock = new bool[products];

        var members = new List<int>[categoryCount];
        for (var c = 0; c < categoryCount; c++)
        {
            members[c] = [];
        }
        for (var p = 0; p < products; p++)
        {
            // The first products seed every category; the rest land anywhere.
            var category = p < categoryCount ? p : random.Next(categoryCount);
            Category[p] = category;
            members[category].Add(p);
            Codes[p] = CodeOf(p);
            var nouns = Nouns[category];
            Titles[p] = string.Join(' ', Adjectives[random.Next(Adjectives.Length)], Motifs[random.Next(Motifs.Length)], nouns[random.Next(nouns.Length)]);
            var cents = CategoryPriceCents[category] * random.NextLogNormal(0.6);
            PriceCents[p] = Math.Max(19, (int)Math.Round(cents / 5) * 5);
            InStock[p] = random.Chance(0.95);
        }

        // Within a category the product added first is the most popular: weight (rank + 1)^-1 (Zipf).
        ProductsByCategory = new int[categoryCount][];
        _cumulativeWeights = new double[categoryCount][];
        for (var c = 0; c < categoryCount; c++)
        {
            ProductsByCategory[c] = [.. members[c]];
            var cumulative = new double[members[c].Count];
            double total = 0;
            for (var rank = 0; rank < cumulative.Length; rank++)
            {
                total += 1.0 / (rank + 1);
                cumulative[rank] = total;
            }
            _cumulativeWeights[c] = cumulative;
        }

        Bundles = PlantBundles(products, random);
        BundlesByCategory = new int[categoryCount][];
        for (var c = 0; c < categoryCount; c++)
        {
            BundlesByCategory[c] = [.. Enumerable.Range(0, Bundles.Count).Where(b => Category[Bundles[b][0]] == c)];
        }
    }

    public IReadOnlyList<string> Categories { get; }

    public string[] Codes { get; }

    public string[] Titles { get; }

    public int[] Category { get; }

    public int[] PriceCents { get; }

    public bool[] InStock { get; }

    public int[][] ProductsByCategory { get; }

    /// <summary>Disjoint sets of products from one category each.</summary>
    public IReadOnlyList<int[]> Bundles { get; }

    public int[][] BundlesByCategory { get; }

    public int Count => Codes.Length;

    /// <summary>Five digits (10000 + index) with a variant letter once the five-digit codes run out: ^\d{5}[A-Z]?$.</summary>
    public static string CodeOf(int product)
    {
        var number = (10_000 + (product % 90_000)).ToString(CultureInfo.InvariantCulture);
        var variant = product / 90_000;
        return variant == 0 ? number : number + (char)('A' + variant - 1);
    }

    /// <summary>The integer item id of the RetailRocket-shaped file: equals the stock code for the first 90,000 products.</summary>
    public static long RetailRocketIdOf(int product) => 10_000L + product;

    public int PickProduct(int category, Xoshiro256StarStar random)
    {
        var cumulative = _cumulativeWeights[category];
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        index = index < 0 ? ~index : index;
        return ProductsByCategory[category][Math.Min(index, cumulative.Length - 1)];
    }

    private List<int[]> PlantBundles(int products, Xoshiro256StarStar random)
    {
        // One bundle per 40 products; members come from below a category's two best sellers so that a planted
        // bundle is not drowned by products everyone buys anyway.
        var bundleCount = Math.Max(1, products / 40);
        var taken = new bool[products];
        var bundles = new List<int[]>(bundleCount);
        var attempts = 0;
        while (bundles.Count < bundleCount && attempts++ < bundleCount * 20)
        {
            var category = random.Next(Categories.Count);
            var candidates = ProductsByCategory[category];
            var size = random.Next(2, 5);
            if (candidates.Length < size + 2)
            {
                continue;
            }
            var bundle = new List<int>(size);
            for (var tries = 0; bundle.Count < size && tries < size * 10; tries++)
            {
                // Middle of the popularity curve: ranks 2 .. 40, or the top quarter of a large category.
                var product = candidates[random.Next(2, Math.Min(candidates.Length, Math.Max(40, candidates.Length / 4)))];
                if (!taken[product])
                {
                    taken[product] = true;
                    bundle.Add(product);
                }
            }
            if (bundle.Count >= 2)
            {
                bundles.Add([.. bundle]);
            }
            else
            {
                bundle.ForEach(p => taken[p] = false);
            }
        }
        return bundles;
    }
}
