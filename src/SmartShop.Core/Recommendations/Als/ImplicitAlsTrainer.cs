using System.Diagnostics;

namespace SmartShop.Core.Recommendations.Als;

/// <summary>
/// Hu, Koren &amp; Volinsky (2008) implicit-feedback ALS: minimises Σ_ui c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²)
/// with p_ui = 1 on observed pairs (0 elsewhere) and confidence c_ui = 1 + α·r_ui.
/// Deterministic: the same seed gives bit-identical factors for any thread count.
/// </summary>
public sealed class ImplicitAlsTrainer
{
    public ImplicitAlsTrainer(ImplicitAlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public ImplicitAlsOptions Options { get; }

    /// <summary>
    /// Trains on a users × items matrix of positive interaction weights.
    /// When <paramref name="progress"/> is given, the loss is computed after every iteration (about 1/8 of an
    /// iteration's cost) and reported synchronously on the training thread.
    /// </summary>
    public AlsModel Fit(CsrMatrix userItems, IProgress<AlsIterationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var session = StartSession(userItems);
        var total = Stopwatch.StartNew();
        for (var iteration = 1; iteration <= Options.Iterations; iteration++)
        {
            var started = total.Elapsed;
            session.RunIteration(cancellationToken);
            if (progress is not null)
            {
                var iterationTime = total.Elapsed - started;
                progress.Report(new AlsIterationProgress(
                    iteration, Options.Iterations, session.ComputeLoss(cancellationToken), iterationTime, total.Elapsed));
            }
        }

        return session.ToModel();
    }

    /// <summary>Validates the input and initialises the factors; run iterations on the returned session.</summary>
    public AlsTrainingSession StartSession(CsrMatrix userItems)
    {
        ArgumentNullException.ThrowIfNull(userItems);
        var k = Options.Factors;
        if ((long)userItems.Rows * k > Array.MaxLength || (long)userItems.Columns * k > Array.MaxLength)
        {
            throw new ArgumentException(
                $"{userItems.Rows} users or {userItems.Columns} items × {k} factors exceed the largest array .NET can allocate.", nameof(userItems));
        }

        var values = userItems.Values;
        for (var j = 0; j < values.Length; j++)
        {
            if (!(values[j] > 0) || !float.IsFinite(values[j]))
            {
                throw new ArgumentException(
                    $"Interaction weights must be finite and > 0 (an absent pair is the implicit zero); found {values[j]} at non-zero #{j}.",
                    nameof(userItems));
            }
        }

        return new AlsTrainingSession(Options, userItems);
    }
}
