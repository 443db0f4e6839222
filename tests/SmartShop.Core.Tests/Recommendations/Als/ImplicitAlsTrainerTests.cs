using SmartShop.Core.Recommendations.Als;

namespace SmartShop.Core.Tests.Recommendations.Als;

public sealed class ImplicitAlsTrainerTests
{
    private static readonly CsrMatrix Small = AlsTestData.RandomSparse(users: 14, items: 10, density: 0.3, seed: 3);

    [Theory]
    [InlineData(AlsSolver.ConjugateGradient)]
    [InlineData(AlsSolver.Cholesky)]
    public void ItemFactorsEqualTheClosedFormSolveGivenTheFinalUserFactors(AlsSolver solver)
    {
        // With k = 5, 30 CG steps converge CG to the exact solution; items are solved last in each iteration.
        var options = new ImplicitAlsOptions
        {
            Factors = 5, Regularization = 0.1f, Alpha = 2f, Iterations = 3, CgSteps = 30, Solver = solver, Seed = 11,
        };

        var model = new ImplicitAlsTrainer(options).Fit(Small);

        var itemUsers = Small.Transpose();
        for (var item = 0; item < model.ItemCount; item++)
        {
            var expected = AlsTestData.ClosedFormRow(
                itemUsers.RowColumns(item), itemUsers.RowValues(item), u => model.UserVector(u).ToArray(),
                model.UserCount, options.Factors, options.Regularization, options.Alpha);
            var actual = model.ItemVector(item).ToArray();
            for (var f = 0; f < options.Factors; f++)
            {
                actual[f].Should().BeApproximately((float)expected[f], 1e-4f, $"item {item}, factor {f}");
            }
        }
    }

    [Fact]
    public void ConjugateGradientWithEnoughStepsMatchesTheCholeskySolver()
    {
        var options = new ImplicitAlsOptions { Factors = 4, Regularization = 0.05f, Alpha = 3f, Iterations = 4, CgSteps = 25, Seed = 5 };

        var cg = new ImplicitAlsTrainer(options).Fit(Small);
        var exact = new ImplicitAlsTrainer(options with { Solver = AlsSolver.Cholesky }).Fit(Small);

        for (var user = 0; user < Small.Rows; user++)
        {
            for (var item = 0; item < Small.Columns; item++)
            {
                cg.Score(user, item).Should().BeApproximately(exact.Score(user, item), 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData(AlsSolver.ConjugateGradient)]
    [InlineData(AlsSolver.Cholesky)]
    public void LossDecreasesMonotonically(AlsSolver solver)
    {
        var matrix = AlsTestData.RandomSparse(users: 120, items: 80, density: 0.08, seed: 9);
        var losses = new List<double>();
        var options = new ImplicitAlsOptions { Factors = 8, Regularization = 0.05f, Alpha = 5f, Iterations = 10, CgSteps = 3, Solver = solver };

        new ImplicitAlsTrainer(options).Fit(matrix, new SynchronousProgress(p => losses.Add(p.Loss)));

        losses.Should().HaveCount(10);
        for (var i = 1; i < losses.Count; i++)
        {
            losses[i].Should().BeLessThanOrEqualTo(losses[i - 1] * (1 + 1e-6), $"iteration {i + 1} must not increase the loss");
        }

        losses[^1].Should().BeLessThan(losses[0] * 0.99);
    }

    [Fact]
    public void SameSeedGivesIdenticalFactorsWhateverTheThreadCount()
    {
        var matrix = AlsTestData.RandomSparse(users: 300, items: 90, density: 0.05, seed: 4);
        var options = new ImplicitAlsOptions { Factors = 16, Iterations = 3, Seed = 21 };

        var single = new ImplicitAlsTrainer(options with { MaxDegreeOfParallelism = 1 }).Fit(matrix);
        var dual = new ImplicitAlsTrainer(options with { MaxDegreeOfParallelism = 2 }).Fit(matrix);
        var many = new ImplicitAlsTrainer(options with { MaxDegreeOfParallelism = 5 }).Fit(matrix);
        var otherSeed = new ImplicitAlsTrainer(options with { Seed = 22 }).Fit(matrix);

        Factors(dual).Should().Equal(Factors(single));
        Factors(many).Should().Equal(Factors(single));
        Factors(otherSeed).Should().NotEqual(Factors(single));
    }

    [Fact]
    public void SixtyFourFactorKernelPathMatchesTheExactSolve()
    {
        // k = 64 takes the AVX-512 kernel where available; CG with many steps must still reach the closed form.
        var matrix = AlsTestData.RandomSparse(users: 100, items: 70, density: 0.15, seed: 8);
        var options = new ImplicitAlsOptions { Factors = 64, Regularization = 0.5f, Alpha = 1f, Iterations = 2, CgSteps = 200, Seed = 3 };

        var cg = new ImplicitAlsTrainer(options).Fit(matrix);
        var exact = new ImplicitAlsTrainer(options with { Solver = AlsSolver.Cholesky }).Fit(matrix);

        for (var item = 0; item < matrix.Columns; item++)
        {
            var a = cg.ItemVector(item).ToArray();
            var b = exact.ItemVector(item).ToArray();
            for (var f = 0; f < 64; f++)
            {
                a[f].Should().BeApproximately(b[f], 2e-4f);
            }
        }
    }

    [Fact]
    public void RecoversPlantedClustersSoHeldOutPositivesOutrankNegatives()
    {
        var (train, heldOut) = AlsTestData.PlantedClusters(users: 400, items: 300, clusters: 10, perUser: 10, heldOutPerUser: 2, seed: 17);
        var options = new ImplicitAlsOptions { Factors = 8, Regularization = 0.1f, Alpha = 10f, Iterations = 10, Seed = 1 };

        var model = new ImplicitAlsTrainer(options).Fit(train);

        // AUC: probability that a held-out positive scores above an item the user never touched.
        var random = new Random(2);
        long wins = 0, pairs = 0;
        for (var user = 0; user < train.Rows; user++)
        {
            foreach (var positive in heldOut[user])
            {
                for (var draw = 0; draw < 20; draw++)
                {
                    var negative = random.Next(train.Columns);
                    if (heldOut[user].Contains(negative) || train[user, negative] != 0)
                    {
                        continue;
                    }

                    pairs++;
                    wins += model.Score(user, positive) > model.Score(user, negative) ? 1 : 0;
                }
            }
        }

        ((double)wins / pairs).Should().BeGreaterThan(0.9);
    }

    [Fact]
    public void EmptyMatricesTrainToZeroVectors()
    {
        var noItems = new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 3, Iterations = 2 }).Fit(new CsrMatrixBuilder(4, 0).Build());
        var noUsers = new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 3, Iterations = 2 }).Fit(new CsrMatrixBuilder(0, 5).Build());

        noItems.UserCount.Should().Be(4);
        noItems.TopK(0, 10).Should().BeEmpty();
        noUsers.ItemCount.Should().Be(5);
        noUsers.ItemVector(4).ToArray().Should().OnlyContain(v => MathF.Abs(v) < 1e-6f); // CG stops at its residual floor
    }

    [Fact]
    public void InvalidOptionsAreRejectedWithTheirName()
    {
        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Factors");
        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Regularization = -1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Regularization");
        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Alpha = float.NaN }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Alpha");
        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { CgSteps = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CgSteps");
        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Iterations = -1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Iterations");
        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { MaxDegreeOfParallelism = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("MaxDegreeOfParallelism");
        FluentActions.Invoking(() => new ImplicitAlsTrainer(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void NonPositiveWeightsAreRejected()
    {
        var matrix = new CsrMatrixBuilder(2, 2).Add(0, 0, 1f).Add(1, 1, -2f).Build();

        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 2 }).Fit(matrix))
            .Should().Throw<ArgumentException>().WithMessage("*> 0*-2*");
    }

    [Fact]
    public void CancelledTokenStopsTraining()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        FluentActions.Invoking(() => new ImplicitAlsTrainer(new ImplicitAlsOptions { Factors = 4 }).Fit(Small, cancellationToken: cancellation.Token))
            .Should().Throw<OperationCanceledException>();
    }

    private static float[] Factors(AlsModel model)
    {
        var all = new List<float>();
        for (var u = 0; u < model.UserCount; u++)
        {
            all.AddRange(model.UserVector(u).ToArray());
        }

        for (var i = 0; i < model.ItemCount; i++)
        {
            all.AddRange(model.ItemVector(i).ToArray());
        }

        return [.. all];
    }

    private sealed class SynchronousProgress(Action<AlsIterationProgress> report) : IProgress<AlsIterationProgress>
    {
        public void Report(AlsIterationProgress value) => report(value);
    }
}
