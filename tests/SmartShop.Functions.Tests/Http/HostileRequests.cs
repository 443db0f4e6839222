using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SmartShop.Functions.Tests.Http;

/// <summary>
/// Seeded generator of hostile HTTP inputs: route values, query strings, headers and bodies that are empty, huge,
/// malformed, mistyped, deeply nested, binary, lying about their length or type, or full of control characters and
/// unpaired surrogates, mixed with plausible values (known ids, well-formed JSON) so deeper code paths run too.
/// </summary>
internal sealed class HostileRequests(int seed, IReadOnlyList<string> plausibleIds)
{
    private static readonly byte[] HugeBody = Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("""{"eventId":"e","type":"view","userId":"u","itemId":"i","timestamp":"2026-01-01T00:00:00Z"}""", 30_000)) + "]");

    private static readonly string[] HostileStrings =
    [
        "", " ", "\t", "\r\n", "..", "../..", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f", "/", "a/b", "\\", "C:\\Windows",
        "\0", "\u0001\u001f\u007f", "\uD800", "\uDC00x", "\uFFFE", "😀😀😀", "Ünïcödé", "ｆｕｌｌｗｉｄｔｈ", "<script>alert(1)</script>", "' OR 1=1 --",
        "{\"a\":1}", "CON", "NUL", "null", "undefined", "true", "-1", "0", "-0", "1e309", "NaN", "Infinity", "99999999999999999999999",
        "0x10", "１２", "a\r\nx-injected: 1", "%", "%%", "%ZZ", "&", "=", "?", "#", "*", "active", "manifest.json", "r1", "s1",
        "uploads/analyses/../../models/recommendations/active", "uploads/%2e%2e/models/x", "/uploads/x.csv", "uploads\\..\\models",
        "uploads/\uFF0E\uFF0E/models/x", "training-data/\u2024\u2024/events/x", "uploads\u2215..\u2215models", "uploads//x",
        "events-rejected/2026/01/01/00/x.jsonl", "uploads/analyses/0123456789abcdef0123456789abcdef.csv",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=bogus",
        "application/problem+json", "application/vnd.api+json", "text/plain", "text/csv", "application/octet-stream",
        "multipart/form-data; boundary=XyZ", "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=a",
        "application/x-www-form-urlencoded", "%%%;;=", "application/", "/json", ";", "application/json;;;;charset=", "*/*",
    ];

    private readonly Random _random = new(seed);

    public string RouteValue() => _random.Next(10) switch
    {
        0 or 1 or 2 => Pick(plausibleIds),
        3 => new string(Pick(['x', '/', '.', '\uD83D', '\0']), _random.Next(1, 3) == 1 ? 300 : 100_000),
        4 => RandomText(_random.Next(1, 40)),
        _ => Pick(HostileStrings),
    };

    /// <summary>A raw query string ("" or starting with '?'): known and unknown names, repeated names, hostile values, broken escapes.</summary>
    public string Query(IReadOnlyList<string> knownNames)
    {
        var count = _random.Next(3) == 0 ? 0 : _random.Next(1, 5);
        var pairs = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = knownNames.Count > 0 && _random.Next(3) > 0 ? Pick(knownNames) : Pick(HostileStrings);
            var value = _random.Next(4) switch
            {
                0 => Number(),
                1 => string.Join(',', Enumerable.Range(0, _random.Next(1, 80)).Select(_ => Pick(plausibleIds))),
                2 => _random.Next(2) == 0 ? Pick(plausibleIds) : RandomText(_random.Next(0, 700)),
                _ => Pick(HostileStrings),
            };
            pairs.Add(_random.Next(3) switch
            {
                0 => name + "=" + value,
                1 => Escape(name) + "=" + Escape(value),
                _ => Escape(name) + (_random.Next(2) == 0 ? "" : "="),
            });
        }

        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    /// <summary>Fills the request's headers and body.</summary>
    /// <param name="declaredContentTypes">What the operation accepts: used half the time so the body reaches its parser.</param>
    public void Headers(HttpRequest request, IReadOnlyList<string> declaredContentTypes, Func<string> adminToken)
    {
        if (declaredContentTypes.Count > 0 && _random.Next(2) == 0)
        {
            var declared = Pick(declaredContentTypes);
            request.ContentType = declared == "multipart/form-data" ? declared + "; boundary=XyZ" : declared;
        }
        else if (_random.Next(4) > 0)
        {
            request.ContentType = Pick(ContentTypes);
        }

        request.Headers.Authorization = _random.Next(6) switch
        {
            0 => "Bearer " + adminToken(),
            1 => "Bearer " + RandomText(_random.Next(0, 200)),
            2 => "Bearer " + new string('a', 40_000),
            3 => Pick(HostileStrings),
            _ => default,
        };
        if (_random.Next(5) == 0)
        {
            request.Headers.IfMatch = _random.Next(2) == 0 ? "*" : Pick(HostileStrings);
        }

        if (_random.Next(5) == 0)
        {
            request.Headers["x-request-id"] = Pick(HostileStrings);
        }

        var body = Body();
        request.Body = new MemoryStream(body, writable: false);
        request.ContentLength = _random.Next(6) switch
        {
            0 => null,
            1 => body.Length + _random.Next(1, 100_000),
            2 => Math.Max(0, body.Length - _random.Next(1, 100)),
            3 => long.MaxValue,
            _ => body.Length,
        };
    }

    private byte[] Body() => _random.Next(18) switch
    {
        16 or 17 => Encoding.UTF8.GetBytes(CatalogueItems()),
        0 => [],
        1 => RandomBytes(_random.Next(1, 4096)),
        2 => Encoding.UTF8.GetBytes(Nesting(Pick([64, 1000, 50_000]))),
        3 => Encoding.UTF8.GetBytes(Truncate(Json(4))),
        4 => Encoding.Unicode.GetBytes(Json(3)),
        5 => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Json(3))],
        6 => Encoding.UTF8.GetBytes(Multipart()),
        7 => Encoding.UTF8.GetBytes(Csv()),
        8 => _random.Next(8) == 0 ? HugeBody : Encoding.UTF8.GetBytes(Events()),
        9 or 10 => Encoding.UTF8.GetBytes(Events()),
        11 or 12 => Encoding.UTF8.GetBytes(Cart()),
        _ => Encoding.UTF8.GetBytes(Json(5)),
    };

    private string Cart() => "{" + string.Join(',', new[]
    {
        _random.Next(5) > 0 ? "\"items\":" + (_random.Next(4) > 0 ? "[" + string.Join(',', Enumerable.Range(0, _random.Next(6) == 0 ? _random.Next(0, 130) : _random.Next(1, 20)).Select(_ => JsonString(Pick(plausibleIds)))) + "]" : Json(2)) : null,
        _random.Next(2) == 0 ? "\"userId\":" + (_random.Next(3) > 0 ? JsonString(Pick(plausibleIds)) : Json(1)) : null,
        _random.Next(2) == 0 ? "\"k\":" + (_random.Next(3) > 0 ? _random.Next(1, 30).ToString(CultureInfo.InvariantCulture) : _random.Next(2) == 0 ? Number() : Json(1)) : null,
        _random.Next(10) == 0 ? JsonString(RandomText(5)) + ":" + Json(2) : null,
    }.Where(p => p is not null)) + "}";

    // Upsert batches for the catalogue routes: mostly well-formed items (so some batches are stored), with hostile ids,
    // prices, URLs, currencies and attributes mixed in, and now and then more items than a batch may hold.
    private string CatalogueItems() => "[" + string.Join(',', Enumerable.Range(0, _random.Next(8) == 0 ? _random.Next(0, 600) : _random.Next(1, 4)).Select(_ => "{" + string.Join(',', new[]
    {
        "\"id\":" + JsonString(_random.Next(8) > 0 ? Pick(plausibleIds) : Pick(HostileStrings)),
        _random.Next(12) > 0 ? "\"title\":" + JsonString(_random.Next(8) > 0 ? "Red mug " + _random.Next(1000).ToString(CultureInfo.InvariantCulture) : Pick(HostileStrings)) : null,
        _random.Next(12) > 0 ? "\"price\":" + (_random.Next(8) > 0 ? _random.Next(0, 500).ToString(CultureInfo.InvariantCulture) : Number()) : null,
        _random.Next(2) == 0 ? "\"description\":" + JsonString(_random.Next(4) > 0 ? "Glazed stoneware, ünïcode ✓\n" + _random.Next(100).ToString(CultureInfo.InvariantCulture) + " cl" : RandomText(_random.Next(0, 200))) : null,
        _random.Next(2) == 0 ? "\"category\":" + JsonString(_random.Next(8) > 0 ? "Home > Kitchen" : Pick(HostileStrings)) : null,
        _random.Next(3) == 0 ? "\"currency\":" + JsonString(_random.Next(8) > 0 ? "GBP" : Pick(["gbp", "", "POUNDS", "€"])) : null,
        _random.Next(3) == 0 ? "\"imageUrl\":" + JsonString(_random.Next(8) > 0 ? "https://cdn.example/i.jpg" : Pick(HostileStrings)) : null,
        _random.Next(4) == 0 ? "\"productUrl\":" + JsonString(_random.Next(8) > 0 ? "https://shop.example/p/i" : Pick(HostileStrings)) : null,
        _random.Next(3) == 0 ? "\"inStock\":" + (_random.Next(8) > 0 ? Pick(["true", "false"]) : Json(1)) : null,
        _random.Next(4) == 0 ? "\"isProduct\":" + (_random.Next(8) > 0 ? Pick(["true", "false"]) : Json(1)) : null,
        _random.Next(4) == 0 ? "\"attributes\":" + (_random.Next(8) > 0 ? "{\"colour\":" + JsonString(Pick(["red", "blue", "ünïcode"])) + "}" : Json(2)) : null,
        _random.Next(24) == 0 ? JsonString(RandomText(5)) + ":" + Json(1) : null,
    }.Where(p => p is not null)) + "}")) + "]";

    private string Events()
    {
        var events = Enumerable.Range(0, _random.Next(0, 12)).Select(_ => "{" + string.Join(',', new[]
        {
            "\"eventId\":" + (_random.Next(4) > 0 ? JsonString(Guid.NewGuid().ToString("N")) : Json(1)),
            "\"type\":" + JsonString(Pick(["view", "addtocart", "purchase", "removefromcart", "teleport", ""])),
            "\"userId\":" + (_random.Next(4) > 0 ? JsonString(Pick(plausibleIds)) : Json(1)),
            "\"itemId\":" + JsonString(_random.Next(3) > 0 ? Pick(plausibleIds) : Pick(HostileStrings)),
            "\"timestamp\":" + JsonString(_random.Next(3) > 0 ? DateTimeOffset.UtcNow.AddMinutes(-_random.Next(0, 100_000)).ToString("O", CultureInfo.InvariantCulture) : Pick(HostileStrings)),
            _random.Next(3) == 0 ? "\"quantity\":" + Number() : "\"price\":" + Number(),
        }) + "}");
        var array = "[" + string.Join(',', events) + "]";
        return _random.Next(3) == 0 ? "{\"events\":" + array + "}" : array;
    }

    private string Json(int depth)
    {
        var choice = depth <= 0 ? _random.Next(4) : _random.Next(6);
        return choice switch
        {
            0 => Number(),
            1 => JsonString(_random.Next(2) == 0 ? Pick(HostileStrings) : RandomText(_random.Next(0, 30))),
            2 => Pick(["true", "false", "null"]),
            3 => JsonString(Pick(plausibleIds)),
            4 => "[" + string.Join(',', Enumerable.Range(0, _random.Next(0, 6)).Select(_ => Json(depth - 1))) + "]",
            _ => "{" + string.Join(',', Enumerable.Range(0, _random.Next(0, 6)).Select(_ =>
                JsonString(Pick(["items", "userId", "k", "events", "kind", "csv", "blob", "delimiter", "algorithm", "columns", RandomText(4)])) + ":" + Json(depth - 1))) + "}",
        };
    }

    private string Number() => _random.Next(8) switch
    {
        0 => "1e400",
        1 => "-1e400",
        2 => "123456789012345678901234567890",
        3 => "-2147483649",
        4 => "0.0000000000000000000001",
        5 => (_random.NextDouble() * 200 - 50).ToString("R", CultureInfo.InvariantCulture),
        _ => _random.Next(-5, 150).ToString(CultureInfo.InvariantCulture),
    };

    private string Multipart()
    {
        var boundary = _random.Next(2) == 0 ? "XyZ" : "other";
        var name = Pick(["file", "csv", "data", "", "\"", "../../x"]);
        var terminated = _random.Next(2) == 0;
        return $"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{Pick(HostileStrings)}.csv\"\r\nContent-Type: {Pick(ContentTypes)}\r\n\r\n{Csv()}\r\n"
            + (terminated ? $"--{boundary}--\r\n" : string.Empty);
    }

    private string Csv()
    {
        var rows = Enumerable.Range(0, _random.Next(0, 30)).Select(_ => string.Join(Pick([",", ";", "\t", "|"]),
            Enumerable.Range(0, _random.Next(0, 9)).Select(_ => _random.Next(3) switch
            {
                0 => Number(),
                1 => Pick(plausibleIds),
                _ => Pick(HostileStrings),
            })));
        var header = Pick(["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country", "customerId,recency,frequency,monetary", "a,b,\"c", ""]);
        return header + "\n" + string.Join('\n', rows);
    }

    private static string Nesting(int depth) => new string('[', depth) + new string(']', depth);

    private string Truncate(string text) => text.Length <= 1 ? text : text[.._random.Next(1, text.Length)];

    private static string JsonString(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    private string RandomText(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = _random.Next(10) switch
            {
                0 => (char)_random.Next(0, 32),
                1 => (char)_random.Next(0xD800, 0xE000),
                2 => (char)_random.Next(0x80, 0xFFFF),
                _ => (char)_random.Next(32, 127),
            };
        }

        return new string(chars);
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static string Escape(string value) =>
        Uri.EscapeDataString(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value)));

    private T Pick<T>(IReadOnlyList<T> values) => values[_random.Next(values.Count)];
}
