namespace SmartShop.Core.Synthetic;

/// <summary>What <see cref="SyntheticRetailGenerator"/> generates. <see cref="Validate"/> explains any bad value.</summary>
public sealed record SyntheticRetailOptions
{
    /// <summary>Most products a catalogue can hold: 90,000 five-digit codes times 27 variants (none, A–Z).</summary>
    public const int MaxProducts = 90_000 * 27;

    public int Customers { get; init; } = 1_000;

    public int Products { get; init; } = 500;

    public int Days { get; init; } = 90;

    public ulong Seed { get; init; } = 42;

    /// <summary>First day of the generated period (UTC).</summary>
    public DateOnly Start { get; init; } = new(2024, 1, 1);

    /// <summary>Extra dirty transaction rows per clean line (anonymous, postage, zero price, malformed numbers in equal shares).</summary>
    public double DirtRate { get; init; } = 0.02;

    /// <summary>Share of invoices followed by a cancellation ("C…" invoice, negative quantity) of one of their lines.</summary>
    public double CancellationRate { get; init; } = 0.02;

    public void Validate()
    {
        if (Customers is < 1 or > 10_000_000)
        {
            throw new ArgumentException($"Customers must be between 1 and 10,000,000 (got {Customers}).");
        }
        if (Products is < 20 or > MaxProducts)
        {
            throw new ArgumentException($"Products must be between 20 and {MaxProducts:N0} (got {Products}).");
        }
        if (Days is < 1 or > 3_650)
        {
            throw new ArgumentException($"Days must be between 1 and 3,650 (got {Days}).");
        }
        if (double.IsNaN(DirtRate) || DirtRate is < 0 or > 0.2)
        {
            throw new ArgumentException($"The dirt rate must be between 0 and 0.2 (got {DirtRate}); above that the malformed share nears the loader's 10 % limit.");
        }
        if (double.IsNaN(CancellationRate) || CancellationRate is < 0 or > 0.5)
        {
            throw new ArgumentException($"The cancellation rate must be between 0 and 0.5 (got {CancellationRate}).");
        }
        if (Start.AddDays(Days) > new DateOnly(9999, 1, 1))
        {
            throw new ArgumentException("The generated period must end before the year 9999.");
        }
    }
}
