namespace SmartShop.Core.Synthetic;

/// <summary>The behaviour planted in a generated customer (ground-truth label).</summary>
public enum SyntheticPersona
{
    /// <summary>Arrives in the last weeks of the period; few sessions, first one a purchase.</summary>
    Newcomer,

    /// <summary>Many sessions with many views; rarely buys.</summary>
    WindowShopper,

    /// <summary>Active throughout; buys regularly, medium baskets.</summary>
    LoyalRegular,

    /// <summary>Buys less often than a regular but in large quantities: highest monetary value.</summary>
    BigSpender,

    /// <summary>Bought regularly in the first half of the period, then stopped (at risk).</summary>
    Lapsed,
}

public static class SyntheticPersonaNames
{
    /// <summary>The snake_case name used in ground-truth.json.</summary>
    public static string ToName(this SyntheticPersona persona) => persona switch
    {
        SyntheticPersona.Newcomer => "newcomer",
        SyntheticPersona.WindowShopper => "window_shopper",
        SyntheticPersona.LoyalRegular => "loyal_regular",
        SyntheticPersona.BigSpender => "big_spender",
        SyntheticPersona.Lapsed => "lapsed",
        _ => throw new ArgumentOutOfRangeException(nameof(persona), persona, "Unknown persona."),
    };
}
