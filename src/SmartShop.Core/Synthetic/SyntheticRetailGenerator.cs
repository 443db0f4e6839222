using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartShop.Core.Synthetic;

/// <summary>
/// Generates a retail data set with planted structure (personas, bundles, category affinities, weekly seasonality)
/// and writes it as a catalogue, Online Retail transactions, clickstream events (JSON lines and RetailRocket CSV) and
/// the ground truth. It walks the period a day at a time and holds only per-customer and per-product parameters plus
/// one day's events, so memory does not grow with the length of the run. The same options give byte-identical files.
/// </summary>
public sealed class SyntheticRetailGenerator
{
    public const string CatalogueFile = "catalogue.csv";
    public const string TransactionsFile = "transactions.csv";
    public const string EventsFile = "events.jsonl";
    public const string RetailRocketEventsFile = "events-retailrocket.csv";
    public const string GroundTruthFile = "ground-truth.json";

    private const int MillisecondsPerDay = 86_400_000;
    private const int LastMillisecond = MillisecondsPerDay - 1;
    private const int SessionTimeoutMilliseconds = 30 * 60_000;
    private const double BundleProbability = 0.35;

    // Sunday first (DayOfWeek order): weekends busier than midweek.
    private static readonly double[] WeekdayFactors = [1.25, 0.85, 0.9, 0.95, 1.0, 1.05, 1.2];

    private static readonly double[] HourWeights =
        [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 3.5, 4.5, 5, 5.5, 6, 5.5, 5, 4.5, 4.5, 5, 6, 6.5, 6, 4.5, 3, 1.8];

    private static readonly string[] Countries = ["United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium"];

    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web);

    private readonly SyntheticRetailOptions _options;
    private readonly Xoshiro256StarStar _random;
    private readonly SyntheticCatalogue _catalogue;
    private readonly CustomerProfile[] _customers;
    private readonly double[] _hourCumulative;
    private readonly byte[][] _codeBytes;
    private readonly byte[][] _categoryJson;

    private PendingEvent[] _events = new PendingEvent[1024];
    private long[] _eventKeys = new long[1024];
    private int _eventCount;
    private PendingBasket[] _baskets = new PendingBasket[256];
    private long[] _basketKeys = new long[256];
    private int[] _basketOrder = new int[256];
    private int[] _invoiceOfBasket = new int[256];
    private int _basketCount;
    private PendingLine[] _lines = new PendingLine[1024];
    private long[] _lineKeys = new long[1024];
    private int _lineCount;
    private readonly List<int> _basket = [];

    private long _sessions;
    private long _eventsWritten;
    private long _retailRocketRows;
    private long _invoices;
    private long _cancellations;
    private long _transactionRows;
    private long _anonymousRows;
    private long _postageRows;
    private long _zeroPriceRows;
    private long _malformedRows;
    private int _nextInvoice = 536_365;

    private SyntheticRetailGenerator(SyntheticRetailOptions options)
    {
        _options = options;
        _random = new Xoshiro256StarStar(options.Seed);
        _catalogue = new SyntheticCatalogue(options.Products, _random);
        _customers = new CustomerProfile[options.Customers];
        for (var c = 0; c < _customers.Length; c++)
        {
            _customers[c] = CreateCustomer(options.Days);
        }

        _hourCumulative = new double[HourWeights.Length];
        double total = 0;
        for (var h = 0; h < HourWeights.Length; h++)
        {
            total += HourWeights[h];
            _hourCumulative[h] = total;
        }

        _codeBytes = [.. _catalogue.Codes.Select(Encoding.ASCII.GetBytes)];
        _categoryJson = [.. _catalogue.Categories.Select(c => Encoding.ASCII.GetBytes(",\"category\":\"" + c + "\""))];
    }

    /// <summary>Writes the five files into <paramref name="directory"/> (created if missing).</summary>
    public static SyntheticRetailSummary WriteFiles(SyntheticRetailOptions options, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options.Validate();
        Directory.CreateDirectory(directory);
        using var catalogue = File.Create(Path.Combine(directory, CatalogueFile));
        using var transactions = File.Create(Path.Combine(directory, TransactionsFile));
        using var events = File.Create(Path.Combine(directory, EventsFile));
        using var retailRocket = File.Create(Path.Combine(directory, RetailRocketEventsFile));
        using var groundTruth = File.Create(Path.Combine(directory, GroundTruthFile));
        return Generate(options, new SyntheticRetailStreams(catalogue, transactions, events, retailRocket, groundTruth), cancellationToken);
    }

    /// <summary>Generates into the given streams (left open).</summary>
    public static SyntheticRetailSummary Generate(SyntheticRetailOptions options, SyntheticRetailStreams streams, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(streams);
        options.Validate();
        return new SyntheticRetailGenerator(options).Run(streams, cancellationToken);
    }

    private SyntheticRetailSummary Run(SyntheticRetailStreams streams, CancellationToken cancellationToken)
    {
        WriteCatalogue(new AsciiRowWriter(streams.Catalogue));

        var transactions = new AsciiRowWriter(streams.Transactions);
        var events = new AsciiRowWriter(streams.Events);
        var retailRocket = new AsciiRowWriter(streams.RetailRocketEvents);
        transactions.Write("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"u8);
        retailRocket.Write("timestamp,visitorid,event,itemid,transactionid\n"u8);

        for (var day = 0; day < _options.Days; day++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _eventCount = 0;
            _basketCount = 0;
            _lineCount = 0;
            SimulateDay(day);
            WriteDay(day, transactions, events, retailRocket);
        }
        transactions.Flush();
        events.Flush();
        retailRocket.Flush();

        var summary = new SyntheticRetailSummary
        {
            Customers = _customers.Length,
            Products = _catalogue.Count,
            Bundles = _catalogue.Bundles.Count,
            Sessions = _sessions,
            Events = _eventsWritten,
            RetailRocketRows = _retailRocketRows,
            Invoices = _invoices,
            Cancellations = _cancellations,
            TransactionRows = _transactionRows,
            AnonymousRows = _anonymousRows,
            PostageRows = _postageRows,
            ZeroPriceRows = _zeroPriceRows,
            MalformedRows = _malformedRows,
        };
        WriteGroundTruth(streams.GroundTruth, summary);
        return summary;
    }

    private CustomerProfile CreateCustomer(int days)
    {
        var draw = _random.NextDouble();
        var persona = draw switch
        {
            < 0.15 => SyntheticPersona.Newcomer,
            < 0.35 => SyntheticPersona.WindowShopper,
            < 0.65 => SyntheticPersona.LoyalRegular,
            < 0.75 => SyntheticPersona.BigSpender,
            _ => SyntheticPersona.Lapsed,
        };
        int Day(double fraction) => Math.Clamp((int)(days * fraction), 0, days - 1);
        var profile = persona switch
        {
            SyntheticPersona.Newcomer => new CustomerProfile
            {
                ActiveFrom = days - 1 - Math.Max(0, (int)(days * (0.02 + (0.1 * _random.NextDouble())))),
                ActiveTo = days, SessionsPerWeek = 3, PurchaseProbability = 0.4, MeanViews = 6, MeanBasket = 4, MeanQuantity = 5,
            },
            SyntheticPersona.WindowShopper => new CustomerProfile
            {
                ActiveFrom = Day(0.2 * _random.NextDouble()),
                ActiveTo = days, SessionsPerWeek = 5, PurchaseProbability = 0.04, MeanViews = 20, MeanBasket = 2, MeanQuantity = 2,
            },
            SyntheticPersona.LoyalRegular => new CustomerProfile
            {
                ActiveFrom = Day(0.1 * _random.NextDouble()),
                ActiveTo = days, SessionsPerWeek = 2.5, PurchaseProbability = 0.6, MeanViews = 5, MeanBasket = 6, MeanQuantity = 6,
            },
            SyntheticPersona.BigSpender => new CustomerProfile
            {
                ActiveFrom = Day(0.2 * _random.NextDouble()),
                ActiveTo = days, SessionsPerWeek = 1.2, PurchaseProbability = 0.8, MeanViews = 5, MeanBasket = 12, MeanQuantity = 48,
            },
            _ => new CustomerProfile
            {
                ActiveFrom = Day(0.15 * _random.NextDouble()),
                ActiveTo = Math.Max(1, Day(0.35 + (0.25 * _random.NextDouble()))),
                SessionsPerWeek = 2.5, PurchaseProbability = 0.5, MeanViews = 5, MeanBasket = 5, MeanQuantity = 6,
            },
        };

        // Three favourite categories take 60-90 % of the choices; the rest is spread evenly over all categories.
        var categories = _catalogue.Categories.Count;
        var first = _random.Next(categories);
        var second = (first + 1 + _random.Next(categories - 1)) % categories;
        int third;
        do
        {
            third = _random.Next(categories);
        }
        while (third == first || third == second);
        var favourite = 0.6 + (0.3 * _random.NextDouble());
        var country = _random.Chance(0.85) ? 0 : 1 + _random.Next(Countries.Length - 1);
        return profile with
        {
            Persona = persona,
            SessionsPerWeek = profile.SessionsPerWeek * _random.NextLogNormal(0.25),
            First = first,
            Second = second,
            Third = third,
            FirstWeight = favourite * 0.55,
            SecondWeight = favourite * 0.3,
            ThirdWeight = favourite * 0.15,
            Country = country,
        };
    }

    private void SimulateDay(int day)
    {
        var weekday = (int)_options.Start.AddDays(day).DayOfWeek;
        var factor = WeekdayFactors[weekday] / 7;
        Span<int> starts = stackalloc int[16];
        for (var c = 0; c < _customers.Length; c++)
        {
            ref var customer = ref _customers[c];
            if (day < customer.ActiveFrom || day >= customer.ActiveTo)
            {
                continue;
            }

            // Poisson number of sessions by inversion; a newcomer's first day always has its arrival session.
            var lambda = customer.SessionsPerWeek * factor;
            var u = _random.NextDouble();
            var probability = Math.Exp(-lambda);
            var cumulative = probability;
            var sessions = 0;
            while (u >= cumulative && sessions < starts.Length)
            {
                sessions++;
                probability *= lambda / sessions;
                cumulative += probability;
            }
            if (sessions == 0 && day == customer.ActiveFrom && customer.Persona == SyntheticPersona.Newcomer)
            {
                sessions = 1;
            }
            if (sessions == 0)
            {
                continue;
            }

            var times = starts[..sessions];
            for (var s = 0; s < sessions; s++)
            {
                var hour = Array.BinarySearch(_hourCumulative, _random.NextDouble() * _hourCumulative[^1]);
                hour = Math.Min(hour < 0 ? ~hour : hour, 23);
                times[s] = (hour * 3_600_000) + _random.Next(3_600_000);
            }
            times.Sort();

            // Sessions of one customer are at least the 30-minute session timeout apart, across midnight too.
            var dayStart = (long)day * MillisecondsPerDay;
            foreach (var start in times)
            {
                var time = (int)Math.Max(start, customer.NextSessionFrom - dayStart);
                if (time > LastMillisecond - 3_600_000)
                {
                    break;
                }
                var end = SimulateSession(c, ref customer, time);
                customer.NextSessionFrom = dayStart + end + SessionTimeoutMilliseconds + (long)_random.NextExponential(90 * 60_000);
            }
        }
    }

    private int SimulateSession(int customerIndex, ref CustomerProfile customer, int time)
    {
        var session = ++_sessions;
        var purchases = (customer.Persona == SyntheticPersona.Newcomer && !customer.HasPurchased)
            || _random.Chance(customer.PurchaseProbability);

        var browse = 1 + Math.Min(100, (int)_random.NextExponential(customer.MeanViews - 1));
        var product = 0;
        for (var v = 0; v < browse; v++)
        {
            product = PickProduct(ref customer);
            AddEvent(ref time, EventType.View, customerIndex, product, session);
        }
        if (_random.Chance(0.15))
        {
            AddEvent(ref time, EventType.AddToCart, customerIndex, product, session, 1);
            AddEvent(ref time, EventType.RemoveFromCart, customerIndex, product, session, 1);
        }
        if (!purchases)
        {
            return time;
        }

        _basket.Clear();
        if (_random.Chance(BundleProbability))
        {
            var bundles = _catalogue.BundlesByCategory[PickCategory(ref customer)];
            if (bundles.Length > 0)
            {
                _basket.AddRange(_catalogue.Bundles[bundles[_random.Next(bundles.Length)]]);
            }
        }
        var size = Math.Max(_basket.Count, 1 + Math.Min(40, (int)_random.NextExponential(customer.MeanBasket - 1)));
        for (var tries = 0; _basket.Count < size && tries < size * 4; tries++)
        {
            var candidate = PickProduct(ref customer);
            if (!_basket.Contains(candidate))
            {
                _basket.Add(candidate);
            }
        }

        Span<int> quantities = stackalloc int[_basket.Count];
        for (var i = 0; i < _basket.Count; i++)
        {
            quantities[i] = Math.Max(1, (int)Math.Round(customer.MeanQuantity * _random.NextLogNormal(0.5)));
            AddEvent(ref time, EventType.View, customerIndex, _basket[i], session);
            AddEvent(ref time, EventType.AddToCart, customerIndex, _basket[i], session, quantities[i]);
        }

        var basket = AddBasket(time, cancellation: false);
        for (var i = 0; i < _basket.Count; i++)
        {
            AddEvent(time, EventType.Purchase, customerIndex, _basket[i], session, quantities[i], basket);
            AddLine(basket, customerIndex, _basket[i], quantities[i], LineKind.Product);
            if (_random.Chance(_options.DirtRate))
            {
                AddDirt(basket, customerIndex, _basket[i], quantities[i]);
            }
        }
        if (_random.Chance(_options.CancellationRate))
        {
            var line = _random.Next(_basket.Count);
            var cancelledAt = Math.Min(LastMillisecond, time + 3_600_000 + _random.Next(3 * 3_600_000));
            var cancellation = AddBasket(cancelledAt, cancellation: true);
            AddLine(cancellation, customerIndex, _basket[line], -quantities[line], LineKind.Product);
        }
        customer.HasPurchased = true;
        return time;
    }

    private void AddDirt(int basket, int customer, int product, int quantity)
    {
        switch (_random.Next(4))
        {
            case 0:
                AddLine(basket, customer, product, quantity, LineKind.Anonymous);
                break;
            case 1:
                AddLine(basket, customer, product, 1 + _random.Next(3), LineKind.Postage);
                break;
            case 2:
                AddLine(basket, customer, product, quantity, LineKind.ZeroPrice);
                break;
            default:
                AddLine(basket, customer, product, quantity, (LineKind)((int)LineKind.MalformedQuantity + _random.Next(3)));
                break;
        }
    }

    private int PickCategory(ref CustomerProfile customer)
    {
        var u = _random.NextDouble();
        if (u < customer.FirstWeight)
        {
            return customer.First;
        }
        u -= customer.FirstWeight;
        if (u < customer.SecondWeight)
        {
            return customer.Second;
        }
        u -= customer.SecondWeight;
        return u < customer.ThirdWeight ? customer.Third : _random.Next(_catalogue.Categories.Count);
    }

    private int PickProduct(ref CustomerProfile customer) => _catalogue.PickProduct(PickCategory(ref customer), _random);

    /// <summary>Adds an event, then moves the clock on by a think time of 5 s plus an exponential 30 s.</summary>
    private void AddEvent(ref int time, EventType type, int customer, int product, long session, int quantity = 0)
    {
        AddEvent(time, type, customer, product, session, quantity, -1);
        time = Math.Min(LastMillisecond, time + 5_000 + (int)_random.NextExponential(30_000));
    }

    private void AddEvent(int time, EventType type, int customer, int product, long session, int quantity, int basket)
    {
        if (_eventCount == _events.Length)
        {
            Array.Resize(ref _events, _events.Length * 2);
            Array.Resize(ref _eventKeys, _events.Length);
        }
        _eventKeys[_eventCount] = ((long)time << 32) | (uint)_eventCount;
        _events[_eventCount++] = new PendingEvent(type, customer, product, session, quantity, basket, time);
    }

    private int AddBasket(int time, bool cancellation)
    {
        if (_basketCount == _baskets.Length)
        {
            Array.Resize(ref _baskets, _baskets.Length * 2);
            Array.Resize(ref _basketKeys, _baskets.Length);
            Array.Resize(ref _basketOrder, _baskets.Length);
            Array.Resize(ref _invoiceOfBasket, _baskets.Length);
        }
        _basketKeys[_basketCount] = ((long)time << 32) | (uint)_basketCount;
        _basketOrder[_basketCount] = _basketCount;
        _baskets[_basketCount] = new PendingBasket(time, cancellation);
        return _basketCount++;
    }

    private void AddLine(int basket, int customer, int product, int quantity, LineKind kind)
    {
        if (_lineCount == _lines.Length)
        {
            Array.Resize(ref _lines, _lines.Length * 2);
            Array.Resize(ref _lineKeys, _lines.Length);
        }
        _lines[_lineCount++] = new PendingLine(basket, customer, product, quantity, kind);
    }

    private void WriteDay(int day, AsciiRowWriter transactions, AsciiRowWriter events, AsciiRowWriter retailRocket)
    {
        var date = _options.Start.AddDays(day);
        var datePrefix = Encoding.ASCII.GetBytes(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var dayStartMilliseconds = (long)(date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds;

        // Invoice numbers rise with time, as in the real file.
        Array.Sort(_basketKeys, _basketOrder, 0, _basketCount);
        for (var rank = 0; rank < _basketCount; rank++)
        {
            var basket = _basketOrder[rank];
            _invoiceOfBasket[basket] = _nextInvoice++;
            if (_baskets[basket].Cancellation)
            {
                _cancellations++;
            }
            else
            {
                _invoices++;
            }
        }
        for (var i = 0; i < _lineCount; i++)
        {
            _lineKeys[i] = ((long)_invoiceOfBasket[_lines[i].Basket] << 32) | (uint)i;
        }
        Array.Sort(_lineKeys, _lines, 0, _lineCount);
        for (var i = 0; i < _lineCount; i++)
        {
            WriteLine(transactions, datePrefix, _lines[i]);
        }

        Array.Sort(_eventKeys, _events, 0, _eventCount);
        for (var i = 0; i < _eventCount; i++)
        {
            WriteEvent(events, retailRocket, datePrefix, dayStartMilliseconds, _events[i]);
        }
    }

    private void WriteLine(AsciiRowWriter writer, byte[] datePrefix, PendingLine line)
    {
        var basket = _baskets[line.Basket];
        if (basket.Cancellation)
        {
            writer.Write((byte)'C');
        }
        writer.Write(_invoiceOfBasket[line.Basket]);
        writer.Write((byte)',');
        if (line.Kind == LineKind.Postage)
        {
            writer.Write("POST,POSTAGE,"u8);
        }
        else
        {
            writer.Write(_codeBytes[line.Product]);
            writer.Write((byte)',');
            writer.WriteAscii(_catalogue.Titles[line.Product]);
            writer.Write((byte)',');
        }
        writer.Write(line.Quantity);
        if (line.Kind == LineKind.MalformedQuantity)
        {
            writer.Write(" pcs"u8);
        }
        writer.Write((byte)',');
        if (line.Kind == LineKind.MalformedDate)
        {
            writer.Write("31/02/"u8);
            writer.Write(datePrefix.AsSpan(0, 4));
        }
        else
        {
            writer.Write(datePrefix);
        }
        writer.Write((byte)' ');
        writer.WriteTimeOfDay(basket.Time);
        writer.Write((byte)',');
        var cents = line.Kind switch
        {
            LineKind.Postage => 1800,
            LineKind.ZeroPrice => 0,
            _ => _catalogue.PriceCents[line.Product],
        };
        if (line.Kind == LineKind.MalformedPrice)
        {
            // A decimal comma, quoted as CSV requires: a number the invariant-culture loader must reject.
            writer.Write((byte)'"');
            writer.Write(cents / 100);
            writer.Write((byte)',');
            writer.Write(cents % 100);
            writer.Write((byte)'"');
        }
        else
        {
            writer.WriteCents(cents);
        }
        writer.Write((byte)',');
        if (line.Kind != LineKind.Anonymous)
        {
            writer.Write(CustomerId(line.Customer));
        }
        writer.Write((byte)',');
        writer.WriteAscii(Countries[_customers[line.Customer].Country]);
        writer.Write((byte)'\n');

        _transactionRows++;
        switch (line.Kind)
        {
            case LineKind.Anonymous: _anonymousRows++; break;
            case LineKind.Postage: _postageRows++; break;
            case LineKind.ZeroPrice: _zeroPriceRows++; break;
            case LineKind.MalformedQuantity or LineKind.MalformedPrice or LineKind.MalformedDate: _malformedRows++; break;
            default: break;
        }
    }

    private void WriteEvent(AsciiRowWriter json, AsciiRowWriter retailRocket, byte[] datePrefix, long dayStartMilliseconds, PendingEvent pending)
    {
        var eventNumber = ++_eventsWritten;
        json.Write("{\"eventId\":\"syn-"u8);
        json.Write(_options.Seed);
        json.Write((byte)'-');
        json.Write(eventNumber);
        ReadOnlySpan<byte> type = pending.Type switch
        {
            EventType.View => "\",\"type\":\"view\",\"userId\":\""u8,
            EventType.AddToCart => "\",\"type\":\"addtocart\",\"userId\":\""u8,
            EventType.RemoveFromCart => "\",\"type\":\"removefromcart\",\"userId\":\""u8,
            _ => "\",\"type\":\"purchase\",\"userId\":\""u8,
        };
        json.Write(type);
        json.Write(CustomerId(pending.Customer));
        json.Write("\",\"itemId\":\""u8);
        json.Write(_codeBytes[pending.Product]);
        json.Write("\",\"timestamp\":\""u8);
        json.Write(datePrefix);
        json.Write((byte)'T');
        json.WriteTimeOfDay(pending.Time);
        json.WriteMilliseconds(pending.Time);
        json.Write("Z\",\"sessionId\":\"s"u8);
        json.Write(_options.Seed);
        json.Write((byte)'-');
        json.Write(pending.Session);
        json.Write((byte)'"');
        if (pending.Type != EventType.View)
        {
            json.Write(",\"quantity\":"u8);
            json.Write(pending.Quantity);
            json.Write(",\"price\":"u8);
            json.WriteCents(_catalogue.PriceCents[pending.Product]);
        }
        json.Write(_categoryJson[_catalogue.Category[pending.Product]]);
        json.Write(",\"source\":\"synthetic\"}\n"u8);

        if (pending.Type == EventType.RemoveFromCart)
        {
            return;
        }
        _retailRocketRows++;
        retailRocket.Write(dayStartMilliseconds + pending.Time);
        retailRocket.Write((byte)',');
        retailRocket.Write(CustomerId(pending.Customer));
        ReadOnlySpan<byte> retailRocketType = pending.Type switch
        {
            EventType.View => ",view,"u8,
            EventType.AddToCart => ",addtocart,"u8,
            _ => ",transaction,"u8,
        };
        retailRocket.Write(retailRocketType);
        retailRocket.Write(SyntheticCatalogue.RetailRocketIdOf(pending.Product));
        retailRocket.Write((byte)',');
        if (pending.Type == EventType.Purchase)
        {
            retailRocket.Write(_invoiceOfBasket[pending.Basket]);
        }
        retailRocket.Write((byte)'\n');
    }

    /// <summary>Customer ids are whole numbers from 10000, as the Online Retail loader expects.</summary>
    private static long CustomerId(int customer) => 10_000L + customer;

    private void WriteCatalogue(AsciiRowWriter writer)
    {
        writer.Write("id,title,category,price,in_stock\n"u8);
        for (var p = 0; p < _catalogue.Count; p++)
        {
            writer.Write(_codeBytes[p]);
            writer.Write((byte)',');
            writer.WriteAscii(_catalogue.Titles[p]);
            writer.Write((byte)',');
            writer.WriteAscii(_catalogue.Categories[_catalogue.Category[p]]);
            writer.Write((byte)',');
            writer.WriteCents(_catalogue.PriceCents[p]);
            writer.Write(_catalogue.InStock[p] ? ",true\n"u8 : ",false\n"u8);
        }
        writer.Flush();
    }

    private void WriteGroundTruth(Stream stream, SyntheticRetailSummary summary)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteNumber("seed", _options.Seed);
        json.WriteString("start", _options.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteNumber("days", _options.Days);
        json.WriteNumber("dirtRate", _options.DirtRate);
        json.WriteNumber("cancellationRate", _options.CancellationRate);
        json.WriteStartArray("categories");
        foreach (var category in _catalogue.Categories)
        {
            json.WriteStringValue(category);
        }
        json.WriteEndArray();

        json.WriteStartArray("bundles");
        for (var b = 0; b < _catalogue.Bundles.Count; b++)
        {
            var bundle = _catalogue.Bundles[b];
            json.WriteStartObject();
            json.WriteNumber("id", b);
            json.WriteString("category", _catalogue.Categories[_catalogue.Category[bundle[0]]]);
            json.WriteStartArray("items");
            foreach (var product in bundle)
            {
                json.WriteStringValue(_catalogue.Codes[product]);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("customers");
        var categories = _catalogue.Categories.Count;
        for (var c = 0; c < _customers.Length; c++)
        {
            var customer = _customers[c];
            json.WriteStartObject();
            json.WriteString("customerId", CustomerId(c).ToString(CultureInfo.InvariantCulture));
            json.WriteString("persona", customer.Persona.ToName());
            json.WriteString("country", Countries[customer.Country]);
            json.WriteNumber("activeFromDay", customer.ActiveFrom);
            json.WriteNumber("activeToDay", customer.ActiveTo);
            json.WriteStartObject("affinities");
            var rest = (1 - customer.FirstWeight - customer.SecondWeight - customer.ThirdWeight) / categories;
            for (var k = 0; k < categories; k++)
            {
                var weight = rest
                    + (k == customer.First ? customer.FirstWeight : 0)
                    + (k == customer.Second ? customer.SecondWeight : 0)
                    + (k == customer.Third ? customer.ThirdWeight : 0);
                json.WriteNumber(_catalogue.Categories[k], Math.Round(weight, 4));
            }
            json.WriteEndObject();
            json.WriteEndObject();
            if ((c & 1023) == 1023)
            {
                json.Flush();
            }
        }
        json.WriteEndArray();

        json.WritePropertyName("summary");
        JsonSerializer.Serialize(json, summary, SummaryJson);
        json.WriteEndObject();
        json.Flush();
        stream.Write("\n"u8);
        stream.Flush();
    }

    private enum EventType : byte
    {
        View,
        AddToCart,
        RemoveFromCart,
        Purchase,
    }

    private enum LineKind : byte
    {
        Product,
        Anonymous,
        Postage,
        ZeroPrice,
        MalformedQuantity,
        MalformedPrice,
        MalformedDate,
    }

    private readonly record struct PendingEvent(EventType Type, int Customer, int Product, long Session, int Quantity, int Basket, int Time);

    private readonly record struct PendingBasket(int Time, bool Cancellation);

    private readonly record struct PendingLine(int Basket, int Customer, int Product, int Quantity, LineKind Kind);

    /// <summary>A customer's planted behaviour, plus the little state that carries across days.</summary>
    private record struct CustomerProfile
    {
        public SyntheticPersona Persona { get; init; }

        public int ActiveFrom { get; init; }

        public int ActiveTo { get; init; }

        public double SessionsPerWeek { get; init; }

        public double PurchaseProbability { get; init; }

        public double MeanViews { get; init; }

        public double MeanBasket { get; init; }

        public double MeanQuantity { get; init; }

        public int First { get; init; }

        public int Second { get; init; }

        public int Third { get; init; }

        public double FirstWeight { get; init; }

        public double SecondWeight { get; init; }

        public double ThirdWeight { get; init; }

        public int Country { get; init; }

        public bool HasPurchased { get; set; }

        /// <summary>Milliseconds from the start of the period before which the next session may not begin.</summary>
        public long NextSessionFrom { get; set; }
    }
}
