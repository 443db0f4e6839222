using System.Collections.Concurrent;

namespace SmartShop.Core.Recommendations.Als;

/// <summary>
/// The mutable state of one ALS run: the factors and the transposed matrix. Use it to run iterations
/// one by one (early stopping, progress, benchmarks); <see cref="ImplicitAlsTrainer.Fit"/> wraps it.
/// Not thread-safe: one caller drives it, and it parallelises each half-step internally.
/// </summary>
public sealed class AlsTrainingSession
{
    // Rows per block of the Gram reduction: fixed (not per thread) so the sum order, hence the result, never
    // depends on the thread count.
    private const int GramBlockRows = 2048;

    private readonly ImplicitAlsOptions _options;
    private readonly CsrMatrix _userItems;
    private readonly CsrMatrix _itemUsers;
    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private readonly int _threads;
    private readonly double _confidenceMass;

    internal AlsTrainingSession(ImplicitAlsOptions options, CsrMatrix userItems)
    {
        _options = options;
        _userItems = userItems;
        _itemUsers = userItems.Transpose();
        _threads = options.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : options.MaxDegreeOfParallelism;

        var k = options.Factors;
        _userFactors = new float[(long)userItems.Rows * k];
        _itemFactors = new float[(long)userItems.Columns * k];

        // Small random start around zero (sequential draws from one seeded generator → thread-count independent).
        var random = new Random(options.Seed);
        var scale = 0.1f / MathF.Sqrt(k);
        foreach (var factors in new[] { _userFactors, _itemFactors })
        {
            for (var i = 0; i < factors.Length; i++)
            {
                factors[i] = ((float)random.NextDouble() - 0.5f) * 2f * scale;
            }
        }

        double weightSum = 0;
        foreach (var weight in userItems.Values)
        {
            weightSum += weight;
        }

        // Σ over all cells of the confidence: nnz cells weigh 1 + α·r, every other cell weighs 1.
        _confidenceMass = ((double)userItems.Rows * userItems.Columns) + (options.Alpha * weightSum);
    }

    public int CompletedIterations { get; private set; }

    public int Users => _userItems.Rows;

    public int Items => _userItems.Columns;

    /// <summary>One full iteration: solve every user against fixed items, then every item against fixed users.</summary>
    public void RunIteration(CancellationToken cancellationToken = default)
    {
        SolveSide(_userItems, _userFactors, _itemFactors, cancellationToken);
        SolveSide(_itemUsers, _itemFactors, _userFactors, cancellationToken);
        CompletedIterations++;
    }

    /// <summary>
    /// Σ_u Σ_i c_ui (p_ui − x_u·y_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²), divided by the total confidence Σ c_ui.
    /// Costs about a quarter of a half-step (one dot product per non-zero plus a k×k quadratic form per user).
    /// </summary>
    public double ComputeLoss(CancellationToken cancellationToken = default)
    {
        var k = _options.Factors;
        var gram = ComputeGram(_itemFactors, Items, cancellationToken);
        var rowLoss = new double[Users];
        RunOverRows(Users, () => new float[k], (start, end, gx) =>
        {
            for (var u = start; u < end; u++)
            {
                var x = _userFactors.AsSpan(u * k, k);
                FactorKernels.MatVec(gram, x, gx);
                double loss = FactorKernels.Dot(x, gx);
                var columns = _userItems.RowColumns(u);
                var values = _userItems.RowValues(u);
                for (var j = 0; j < columns.Length; j++)
                {
                    double s = FactorKernels.Dot(x, _itemFactors.AsSpan(columns[j] * k, k));
                    var c = 1.0 + (_options.Alpha * values[j]);
                    loss += (c * (1 - s) * (1 - s)) - (s * s);
                }

                rowLoss[u] = loss;
            }
        }, cancellationToken);

        double total = 0;
        foreach (var loss in rowLoss)
        {
            total += loss;
        }

        // gram already carries λI, so the user penalty is inside the quadratic form; add the item penalty.
        double itemNorm = 0;
        foreach (var v in _itemFactors)
        {
            itemNorm += v * v;
        }

        return _confidenceMass == 0 ? 0 : (total + (_options.Regularization * itemNorm)) / _confidenceMass;
    }

    /// <summary>An immutable model holding copies of the current factors.</summary>
    public AlsModel ToModel() =>
        new(Users, Items, _options.Factors, _options.Regularization, _options.Alpha,
            (float[])_userFactors.Clone(), (float[])_itemFactors.Clone());

    private void SolveSide(CsrMatrix rows, float[] rowFactors, float[] otherFactors, CancellationToken cancellationToken)
    {
        var k = _options.Factors;
        var gram = ComputeGram(otherFactors, rows.Columns, cancellationToken);
        var alpha = _options.Alpha;
        if (_options.Solver == AlsSolver.ConjugateGradient)
        {
            var steps = _options.CgSteps;
            RunOverRows(rows.Rows, () => new CgScratch(k), (start, end, scratch) =>
            {
                for (var row = start; row < end; row++)
                {
                    RowSolvers.ConjugateGradient(
                        rows.RowColumns(row), rows.RowValues(row), otherFactors, gram, alpha, steps,
                        rowFactors.AsSpan(row * k, k), scratch);
                }
            }, cancellationToken);
        }
        else
        {
            var gramDouble = Array.ConvertAll(gram, v => (double)v);
            RunOverRows(rows.Rows, () => new double[(k * k) + k], (start, end, scratch) =>
            {
                for (var row = start; row < end; row++)
                {
                    RowSolvers.Cholesky(
                        rows.RowColumns(row), rows.RowValues(row), otherFactors, gramDouble, alpha,
                        rowFactors.AsSpan(row * k, k), scratch);
                }
            }, cancellationToken);
        }
    }

    /// <summary>YᵀY + λI over the fixed side (k×k, row-major), reduced in fixed-size blocks for determinism.</summary>
    private float[] ComputeGram(float[] factors, int count, CancellationToken cancellationToken)
    {
        var k = _options.Factors;
        var blocks = (count + GramBlockRows - 1) / GramBlockRows;
        var partials = new double[blocks][];
        Parallel.For(0, blocks, ParallelOptionsFor(cancellationToken), block =>
        {
            var local = new float[k * k];
            var end = Math.Min(count, (block + 1) * GramBlockRows);
            for (var row = block * GramBlockRows; row < end; row++)
            {
                var y = factors.AsSpan(row * k, k);
                for (var a = 0; a < k; a++)
                {
                    FactorKernels.MultiplyAdd(y[a], y, local.AsSpan(a * k, k));
                }
            }

            partials[block] = Array.ConvertAll(local, v => (double)v);
        });

        var sum = new double[k * k];
        foreach (var partial in partials)
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += partial[i];
            }
        }

        var gram = new float[k * k];
        for (var i = 0; i < gram.Length; i++)
        {
            gram[i] = (float)sum[i];
        }

        for (var a = 0; a < k; a++)
        {
            gram[(a * k) + a] += _options.Regularization;
        }

        return gram;
    }

    private void RunOverRows<TScratch>(int count, Func<TScratch> createScratch, Action<int, int, TScratch> body, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        // Small ranges balance the power-law row lengths (a popular item can hold a large share of all non-zeros).
        var rangeSize = Math.Max(4, count / (_threads * 1024));
        Parallel.ForEach(
            Partitioner.Create(0, count, rangeSize),
            ParallelOptionsFor(cancellationToken),
            createScratch,
            (range, _, scratch) =>
            {
                body(range.Item1, range.Item2, scratch);
                return scratch;
            },
            _ => { });
    }

    private ParallelOptions ParallelOptionsFor(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _threads, CancellationToken = cancellationToken };
}
