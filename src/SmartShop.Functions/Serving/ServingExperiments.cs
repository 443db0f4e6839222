using SmartShop.Core.Experiments;

namespace SmartShop.Functions.Serving;

/// <summary>Which experiment and variant answer a request, and the model that serves it (null: the variant's strategy).</summary>
public sealed record ExperimentRoute(Experiment Experiment, ExperimentVariant Variant, ServedRecommender? Model);

/// <summary>
/// The running experiments an instance serves and the variant models it loaded for them (immutable, swapped as one).
/// A variant whose model version is neither served nor loaded yet routes nowhere: the request is answered by the
/// active model outside the experiment, so no answer is counted for a variant it did not come from.
/// </summary>
public sealed record ServingExperiments(IReadOnlyList<Experiment> Running, IReadOnlyDictionary<string, ServedRecommender> VariantModels)
{
    public static ServingExperiments None { get; } = new([], new Dictionary<string, ServedRecommender>(StringComparer.Ordinal));

    /// <summary>The first running experiment (by id) that targets <paramref name="endpoint"/>, with the unit's variant.</summary>
    public ExperimentRoute? Route(string endpoint, string unitId, ServedRecommender active, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(active);
        foreach (var experiment in Running)
        {
            if (!experiment.IsRunning(now) || !experiment.Endpoints.Contains(endpoint))
            {
                continue;
            }
            var variant = experiment.Assign(unitId);
            if (variant.Strategy is not null)
            {
                return new ExperimentRoute(experiment, variant, null);
            }
            var model = variant.ModelVersion == active.Version ? active : VariantModels.GetValueOrDefault(variant.ModelVersion!);
            return model is null ? null : new ExperimentRoute(experiment, variant, model);
        }
        return null;
    }
}
