using SmartShop.Core.Recommendations;

namespace SmartShop.Core.Tests.Recommendations;

/// <summary>A small deterministic shop: users prefer one of three categories; item I29 exists only in the catalogue.</summary>
internal static class SyntheticShop
{
    public static readonly DateTime Start = new(2024, 1, 1, 9, 0, 0);

    public static List<InteractionEvent> Events(int users = 60, int seed = 7)
    {
        var random = new Random(seed);
        var events = new List<InteractionEvent>();
        for (var u = 0; u < users; u++)
        {
            var category = u % 3;
            for (var b = 0; b < 6; b++)
            {
                var time = Start.AddDays(b * 10 + random.Next(10)).AddMinutes(u);
                var basket = $"B{u}-{b}";
                for (var n = 0; n < 3; n++)
                {
                    // Items 0..26: item i is in category i % 3.
                    var item = category + 3 * random.Next(9);
                    events.Add(new InteractionEvent($"U{u}", ItemId(item), time, InteractionKind.Purchase, 1, 2.5, basket));
                }
            }
        }
        return events;
    }

    public static string ItemId(int i) => $"I{i:00}";

    public static Catalogue Catalogue() => new(Enumerable.Range(0, 30).Select(i => new CatalogueItem(
        ItemId(i),
        i == 29 ? "RED CERAMIC MUG" : $"{(i % 3 == 0 ? "RED CERAMIC" : i % 3 == 1 ? "BLUE GLASS" : "GREEN PAPER")} ITEM {i}",
        $"C{i % 3}",
        1 + i,
        InStock: i != 4)));

    public static RecommenderModel Train(RecommenderOptions? options = null) =>
        new RecommenderTrainer(options ?? new RecommenderOptions { MaxDegreeOfParallelism = 2 }).Train(Events(), Catalogue());
}
