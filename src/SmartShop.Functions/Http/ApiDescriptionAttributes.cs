namespace SmartShop.Functions.Http;

// What the OpenAPI document (GET /api/openapi.json) says about an HTTP function. Routes, methods and auth levels come
// from [HttpTrigger] itself; these attributes add only what the trigger cannot say. Put them on the [Function] method.

/// <summary>The operation's one-line summary and the tag (group) it is listed under.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ApiOperationAttribute(string tag, string summary) : Attribute
{
    public string Tag { get; } = tag;

    public string Summary { get; } = summary;

    /// <summary>Longer text (CommonMark) when the summary is not enough.</summary>
    public string? Description { get; init; }
}

/// <summary>A query-string parameter; <paramref name="type"/> is a CLR type (int, double, string, bool, string[] for a comma-separated list).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, Type type, string description) : Attribute
{
    public string Name { get; } = name;

    public Type Type { get; } = type;

    public string Description { get; } = description;

    public bool Required { get; init; }

    /// <summary>Inclusive lower bound of a number; NaN for none (attribute arguments cannot be nullable).</summary>
    public double Minimum { get; init; } = double.NaN;

    /// <summary>Inclusive upper bound of a number; NaN for none.</summary>
    public double Maximum { get; init; } = double.NaN;

    /// <summary>The value used when the parameter is absent, as it would be written in the query string.</summary>
    public string? Default { get; init; }
}

/// <summary>A request header the operation reads (beyond the auth headers, which come from the auth level).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiHeaderAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    public bool Required { get; init; }
}

/// <summary>Describes a route parameter (every <c>{name}</c> of the route is documented; this adds its meaning).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiRouteParameterAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;
}

/// <summary>A request body: <paramref name="type"/>'s JSON schema (System.Text.Json web naming) for <see cref="ContentType"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiBodyAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;

    public string ContentType { get; init; } = "application/json";

    public bool Required { get; init; } = true;

    public string? Description { get; init; }
}

/// <summary>
/// A possible answer. Without a type, a status of 400 or more is an RFC 7807 problem (<see cref="ApiProblem"/>)
/// and anything else has no body; <see cref="Codes"/> lists the problem codes the operation can answer with.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, Type? type = null) : Attribute
{
    public int Status { get; } = status;

    public Type? Type { get; } = type;

    public string? Description { get; init; }

    public string[] Codes { get; init; } = [];

    public string ContentType { get; init; } = "application/json";
}
