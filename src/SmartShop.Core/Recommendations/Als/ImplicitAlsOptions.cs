namespace SmartShop.Core.Recommendations.Als;

/// <summary>How each user's (item's) regularised weighted least-squares problem is solved in a half-step.</summary>
public enum AlsSolver
{
    /// <summary>
    /// A few conjugate-gradient steps warm-started from the previous factors, without forming YᵀCᵤY
    /// (the <c>implicit</c> library's least_squares_cg). O(nnz·k) per step; the default.
    /// </summary>
    ConjugateGradient,

    /// <summary>Forms YᵀCᵤY + λI and solves it exactly by Cholesky in double precision. O(nnz·k² + rows·k³).</summary>
    Cholesky,
}

/// <summary>Hyper-parameters of Hu–Koren–Volinsky implicit-feedback ALS (confidence c = 1 + Alpha·weight).</summary>
public sealed record ImplicitAlsOptions
{
    /// <summary>Latent dimension k.</summary>
    public int Factors { get; init; } = 64;

    /// <summary>L2 penalty λ on every user and item vector.</summary>
    public float Regularization { get; init; } = 0.01f;

    /// <summary>Confidence scale: an observed weight r gives confidence 1 + Alpha·r.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Full iterations (a user half-step then an item half-step).</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>Conjugate-gradient steps per row and half-step (ignored by the Cholesky solver).</summary>
    public int CgSteps { get; init; } = 3;

    public AlsSolver Solver { get; init; } = AlsSolver.ConjugateGradient;

    /// <summary>Seed of the random initial factors. Same seed → identical factors, whatever the thread count.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Worker threads; -1 means <see cref="Environment.ProcessorCount"/>.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Factors is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Factors), Factors, "Factors must be in [1, 1024].");
        }

        if (!float.IsFinite(Regularization) || Regularization < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "Regularization must be a finite number ≥ 0.");
        }

        if (!float.IsFinite(Alpha) || Alpha <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be a finite number > 0.");
        }

        if (Iterations < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be ≥ 0.");
        }

        if (CgSteps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CgSteps), CgSteps, "CgSteps must be ≥ 1.");
        }

        if (!Enum.IsDefined(Solver))
        {
            throw new ArgumentOutOfRangeException(nameof(Solver), Solver, "Unknown solver.");
        }

        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be -1 (all cores) or ≥ 1.");
        }
    }
}

/// <summary>Reported after each iteration. <see cref="Loss"/> is the objective divided by the total confidence mass.</summary>
public sealed record AlsIterationProgress(int Iteration, int TotalIterations, double Loss, TimeSpan IterationTime, TimeSpan Elapsed);
