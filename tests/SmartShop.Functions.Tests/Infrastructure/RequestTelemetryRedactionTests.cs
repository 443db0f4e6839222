using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SmartShop.Functions.Telemetry;

namespace SmartShop.Functions.Tests.Infrastructure;

/// <summary>
/// The workspace transformation that redacts customer ids from the Functions host's request, dependency and trace
/// telemetry (infra/app/redact-customer-ids.kql): deployed as the workspace's default rule, and evaluated here on
/// real URLs by a small interpreter of the KQL it uses, with the answers the worker's own redaction gives.
/// </summary>
public sealed class RequestTelemetryRedactionTests
{
    private static readonly string Expression = File.ReadAllText(Path.Combine(Repository.Root, "infra", "app", "redact-customer-ids.kql")).Trim();

    [Theory]
    [InlineData("https://func-abc.azurewebsites.net/api/v1/users/17850/recommendations?k=5")]
    [InlineData("https://func-abc.azurewebsites.net/api/v1/users/17850")]
    [InlineData("/api/v1/Users/anna%40example.com/segment")]
    [InlineData("DELETE /api/v1/customers/14911/data")]
    [InlineData("GET /api/v1/items/85123A/similar")]
    [InlineData("https://func-abc.azurewebsites.net/api/v1/trending?category=home")]
    [InlineData("Executing 'Functions.GetUserRecommendations' (Reason='This function was programmatically called via the host APIs.', Id=6b1f)")]
    [InlineData("")]
    public void TheTransformationRedactsExactlyAsTheWorkerDoes(string text)
    {
        var redacted = MiniKql.Evaluate(Expression, "Url", text);

        redacted.Should().Be(RouteRedaction.Redact(text));
        redacted.Should().NotContainAny("17850", "14911", "anna");
    }

    [Fact]
    public void TheWorkspaceAppliesItToRequestsDependenciesAndTracesAsItsDefaultRule()
    {
        var template = CompiledTemplate.MainTemplate;
        var rule = template.OfType("Microsoft.Insights/dataCollectionRules").Should().ContainSingle().Subject;
        rule.Json["kind"]!.GetValue<string>().Should().Be("WorkspaceTransforms");
        var flows = rule.Property("dataFlows")!.AsArray();
        flows.Select(f => f!["streams"]![0]!.GetValue<string>()).Should().BeEquivalentTo(
            "Microsoft-Table-AppRequests", "Microsoft-Table-AppDependencies", "Microsoft-Table-AppTraces");
        rule.Variables.Select(v => v.Value is JsonValue value && value.TryGetValue(out string? text) ? text.Trim() : null)
            .Should().Contain(Expression, "the deployed rule is the file evaluated above");
        flows.Select(f => f!["transformKql"]!.GetValue<string>()).Should().OnlyContain(kql => kql.Contains("__bicep.redact(variables('redactKql')", StringComparison.Ordinal));

        template.OfType("Microsoft.OperationalInsights/workspaces")
            .Should().Contain(w => w.Property("defaultDataCollectionRuleResourceId") != null, "a workspace transformation applies only as the workspace's default rule");
        template.OfType("Microsoft.OperationalInsights/workspaces")
            .Should().OnlyContain(w => w.Property("retentionInDays") != null && w.Property("sku") != null, "the second declaration must not reset what the first set");
    }

    /// <summary>The KQL the transformation uses: iif, isempty, extract, strcat, tolower, ==, string literals, one column.</summary>
    private sealed class MiniKql
    {
        private readonly string _text;
        private readonly string _column;
        private readonly string _value;
        private int _at;

        private MiniKql(string text, string column, string value) => (_text, _column, _value) = (text, column, value);

        public static string Evaluate(string expressionOfColumn, string column, string value)
        {
            var parser = new MiniKql(expressionOfColumn.Replace("COLUMN", column, StringComparison.Ordinal), column, value);
            var result = parser.Comparison();
            parser.Skip();
            parser._at.Should().Be(parser._text.Length, "the whole expression is understood");
            return (string)result;
        }

        private object Comparison()
        {
            var left = Term();
            Skip();
            if (Peek("=="))
            {
                _at += 2;
                return (string)left == (string)Term();
            }

            return left;
        }

        private object Term()
        {
            Skip();
            if (Peek("@\"") || Peek("\""))
            {
                return Literal();
            }

            var start = _at;
            while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '_'))
            {
                _at++;
            }

            var name = _text[start.._at];
            if (name.All(char.IsAsciiDigit))
            {
                return int.Parse(name, CultureInfo.InvariantCulture);
            }

            Skip();
            if (!Peek("("))
            {
                name.Should().Be(_column, "the only identifier is the column");
                return _value;
            }

            _at++;
            var args = new List<object>();
            for (Skip(); !Peek(")"); Skip())
            {
                args.Add(Comparison());
                Skip();
                if (Peek(","))
                {
                    _at++;
                }
            }

            _at++;
            return name switch
            {
                "iif" => (bool)args[0] ? args[1] : args[2],
                "isempty" => ((string)args[0]).Length == 0,
                "tolower" => ((string)args[0]).ToLowerInvariant(),
                "strcat" => string.Concat(args.Cast<string>()),
                "extract" => Extract((string)args[0], Convert.ToInt32(args[1], CultureInfo.InvariantCulture), (string)args[2]),
                _ => throw new InvalidOperationException($"KQL function '{name}' is not one this test knows."),
            };
        }

        // KQL extract: the group of the first match, or "" when there is none.
        private static string Extract(string pattern, int group, string text)
        {
            var match = Regex.Match(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return match.Success ? match.Groups[group].Value : string.Empty;
        }

        private string Literal()
        {
            var verbatim = _text[_at] == '@';
            _at += verbatim ? 2 : 1;
            var value = new StringBuilder();
            while (_text[_at] != '"')
            {
                value.Append(_text[_at++]);
            }

            _at++;
            return value.ToString();
        }

        private bool Peek(string token) => string.CompareOrdinal(_text, _at, token, 0, token.Length) == 0;

        private void Skip()
        {
            while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
            {
                _at++;
            }
        }
    }
}
