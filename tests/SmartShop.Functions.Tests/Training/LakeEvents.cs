using SmartShop.Core.Ingestion;

namespace SmartShop.Functions.Tests.Training;

/// <summary>A small shop's clickstream for lake-window tests: views, add-to-carts and purchases with skewed item popularity.</summary>
internal static class LakeEvents
{
    private static int _slot = Random.Shared.Next(0, Slots);

    private const int Slots = 150;

    /// <summary>
    /// A past clock of its own: one of 150 twenty-day slots from 1995 on (each test takes the next; a window reaches at
    /// most 15 days back), before the era the Core lake tests use (2016 on), so a lake window holds only its test's events.
    /// </summary>
    public static DateTimeOffset IsolatedNow() =>
        new DateTimeOffset(1995, 1, 1, 12, 0, 0, TimeSpan.Zero).AddDays(Interlocked.Increment(ref _slot) % Slots * 20);

    public static List<ClickstreamEvent> Shop(DateTimeOffset from, int days, string itemPrefix, int seed, int users = 60, int items = 20)
    {
        var random = new Random(seed);
        var events = new List<ClickstreamEvent>();
        for (var day = 0; day < days; day++)
        {
            for (var user = 0; user < users; user++)
            {
                if (random.NextDouble() < 0.5)
                {
                    continue;
                }

                var at = from.AddDays(day).AddMinutes(user);
                var r = random.NextDouble();
                var item = $"{itemPrefix}{(int)(items * r * r)}";
                var userId = $"{10_000 + user}";
                var session = $"s-{seed}-{day}-{user}";
                var id = $"{seed}-{day}-{user}";
                events.Add(new ClickstreamEvent($"v-{id}", ClickstreamEventTypes.View, userId, session, item, at));
                events.Add(new ClickstreamEvent($"v2-{id}", ClickstreamEventTypes.View, userId, session, $"{itemPrefix}{random.Next(items)}", at.AddSeconds(30)));
                if (random.NextDouble() < 0.5)
                {
                    events.Add(new ClickstreamEvent($"c-{id}", ClickstreamEventTypes.AddToCart, userId, session, item, at.AddMinutes(1)));
                    events.Add(new ClickstreamEvent($"p-{id}", ClickstreamEventTypes.Purchase, userId, session, item, at.AddMinutes(2), Quantity: 1, Price: 5m + item.Length, TransactionId: $"o-{id}"));
                }
            }
        }

        return events;
    }
}
