using System.CommandLine;
using System.Globalization;
using SmartShop.Core.Recommendations;

namespace SmartShop.Cli.Commands;

/// <summary>`smartshop recommend --model dir --users all --k 10 --out recs.csv`: CSV user,rank,item,score,reason.</summary>
internal static class RecommendCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "Model bundle directory (from `train`).", Required = true };
        var users = new Option<string>("--users") { Description = "`all` (every user in the model) or a file with one user id per line.", DefaultValueFactory = _ => "all" };
        var k = new Option<int>("--k") { Description = "Items per user (1..100).", DefaultValueFactory = _ => 10 };
        var excludePurchased = new Option<bool>("--exclude-purchased") { Description = "Discovery lists: never recommend an item the user bought." };
        var output = new Option<FileInfo?>("--out") { Description = "Output CSV; default: stdout." };
        var command = new Command("recommend", "Write top-k recommendations for users from a trained model.");
        foreach (var option in new Option[] { model, users, k, excludePurchased, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var outFile = parse.GetValue(output);
            using var writer = outFile is null ? null : new StreamWriter(outFile.FullName);
            Run(parse.GetValue(model)!.FullName, parse.GetValue(users)!, parse.GetValue(k), parse.GetValue(excludePurchased), writer ?? Console.Out, Console.Error, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    internal static void Run(string modelDirectory, string users, int k, bool excludePurchased, TextWriter output, TextWriter log, CancellationToken cancellationToken)
    {
        if (k is < 1 or > RecommendationRequestBase.MaxK)
        {
            throw new ArgumentException($"--k must be between 1 and {RecommendationRequestBase.MaxK} (got {k}).");
        }
        var recommender = new Recommender(ModelBundle.Load(modelDirectory));
        IReadOnlyList<string> ids = users == "all"
            ? recommender.Model.Users
            : File.Exists(users)
                ? ReadUserIds(users)
                : throw new FileNotFoundException($"--users must be `all` or an existing file of user ids: {users}", users);
        output.WriteLine("user,rank,item,score,reason");
        var written = 0;
        foreach (var user in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var items = recommender.RecommendForUser(new UserRecommendationRequest { UserId = user, K = k, ExcludePurchased = excludePurchased }, cancellationToken);
            for (var r = 0; r < items.Count; r++)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Csv(user)},{r + 1},{Csv(items[r].ItemId)},{items[r].Score:G6},{Csv(items[r].Reason)}"));
            }
            if (++written % 1000 == 0)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{written:N0}/{ids.Count:N0} users"));
            }
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recommendations written for {written:N0} users"));
    }

    internal static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static readonly HashSet<string> HeaderNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "user", "userid", "user_id", "user id", "customer", "customerid", "customer_id", "customer id", "visitorid", "id",
    };

    /// <summary>
    /// One user id per line (the first field when lines have commas, semicolons or tabs); a first line that names the
    /// column (user, userId, customer_id, ...) is a header. Any other line that is not an id fails with its number.
    /// </summary>
    internal static List<string> ReadUserIds(string path)
    {
        var ids = new List<string>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.TrimStart('\uFEFF');
            var cut = line.IndexOfAny([',', ';', '\t']);
            var id = (cut >= 0 ? line[..cut] : line).Trim().Trim('"');
            if (id.Length == 0 || ids.Count == 0 && number == 1 && HeaderNames.Contains(id))
            {
                continue;
            }
            if (!Core.Ingestion.ClickstreamEventValidator.IsValidId(id))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"--users file line {number}: not a user id ({Core.Ingestion.ClickstreamEventValidator.IdRule})."));
            }
            ids.Add(id);
        }
        return ids;
    }
}
