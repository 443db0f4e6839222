using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;

namespace SmartShop.Functions.Http;

/// <summary>
/// Builds the OpenAPI 3.0 document of every HTTP function in an assembly by reflection: path, methods and auth level
/// from [HttpTrigger], everything else from the <c>[Api…]</c> attributes; JSON schemas from the CLR types with
/// System.Text.Json web naming. Every operation also lists the 500 problem of <see cref="UnhandledExceptionMiddleware"/>.
/// </summary>
public sealed partial class OpenApiDocumentBuilder
{
    public const string RoutePrefix = "/api";
    public const string ProblemSchemaName = "Problem";

    // Per builder: NullabilityInfoContext caches in plain dictionaries and is not safe to share between threads.
    private readonly NullabilityInfoContext _nullability = new();

    private readonly Dictionary<Type, string> _schemaNames = [];
    private readonly JsonObject _schemas = [];

    /// <param name="bearerForAdmin">Whether admin routes also need an Entra ID bearer token (Auth settings present).</param>
    public static JsonObject Build(Assembly assembly, bool bearerForAdmin, string version)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return new OpenApiDocumentBuilder().BuildDocument(assembly, bearerForAdmin, version);
    }

    /// <summary>Every public method marked [Function] with an [HttpTrigger] parameter, with that trigger.</summary>
    public static IEnumerable<(MethodInfo Method, string Name, HttpTriggerAttribute Trigger)> HttpFunctions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return from type in assembly.GetExportedTypes()
               from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
               let function = method.GetCustomAttribute<FunctionAttribute>()
               let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)
               where function is not null && trigger is not null
               orderby function.Name
               select (method, function.Name, trigger);
    }

    /// <summary>The OpenAPI path of a route template: constraints, defaults and catch-all marks removed.</summary>
    public static string PathOf(string route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return "/" + RouteParameter().Replace(route.Trim('/'), m => "{" + m.Groups["name"].Value + "}");
    }

    /// <summary>The route parameters of a template with their constraint (empty when none).</summary>
    public static IEnumerable<(string Name, string Constraint)> RouteParameters(string route) =>
        RouteParameter().Matches(route ?? string.Empty).Select(m => (m.Groups["name"].Value, m.Groups["constraint"].Value));

    private JsonObject BuildDocument(Assembly assembly, bool bearerForAdmin, string version)
    {
        _schemas[ProblemSchemaName] = ProblemSchema();
        var paths = new JsonObject();
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (method, name, trigger) in HttpFunctions(assembly))
        {
            var route = trigger.Route ?? name;
            var path = PathOf(route);
            if (paths[path] is not JsonObject pathItem)
            {
                pathItem = [];
                paths[path] = pathItem;
            }

            var operation = Operation(method, name, route, trigger.AuthLevel, bearerForAdmin);
            if (method.GetCustomAttribute<ApiOperationAttribute>() is { } described)
            {
                tags.Add(described.Tag);
            }

            foreach (var verb in trigger.Methods ?? ["get", "post", "put", "delete", "patch", "head", "options"])
            {
                pathItem[verb.ToLowerInvariant()] = operation.DeepClone();
            }
        }

        var securitySchemes = new JsonObject
        {
            ["functionKey"] = ApiKey("header", "x-functions-key", "A function key or host key of the app."),
            ["functionKeyQuery"] = ApiKey("query", "code", "A function key or host key of the app, in the query string."),
            ["masterKey"] = ApiKey("header", "x-functions-key", "The app's master (admin) key: the host lets only it through to admin routes."),
        };
        if (bearerForAdmin)
        {
            securitySchemes["bearer"] = new JsonObject
            {
                ["type"] = "http",
                ["scheme"] = "bearer",
                ["bearerFormat"] = "JWT",
                ["description"] = "An Entra ID access token for this API carrying the admin app role (admin routes, in addition to the master key).",
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "SmartShop API",
                ["version"] = version,
                ["description"] = "Recommendations, customer segments, analyses, clickstream ingestion and the model registry. Errors are RFC 7807 problem details with a stable `code`.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = RoutePrefix }),
            ["tags"] = new JsonArray(tags.Select(t => (JsonNode)new JsonObject { ["name"] = t }).ToArray()),
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = _schemas, ["securitySchemes"] = securitySchemes },
        };
    }

    private JsonObject Operation(MethodInfo method, string name, string route, AuthorizationLevel authLevel, bool bearerForAdmin)
    {
        var described = method.GetCustomAttribute<ApiOperationAttribute>();
        var operation = new JsonObject
        {
            ["operationId"] = name,
            ["summary"] = described?.Summary ?? string.Empty,
        };
        if (described is not null)
        {
            operation["tags"] = new JsonArray(described.Tag);
            if (described.Description is { } description)
            {
                operation["description"] = description;
            }
        }

        var parameters = new JsonArray();
        var routeDescriptions = method.GetCustomAttributes<ApiRouteParameterAttribute>().ToDictionary(a => a.Name, a => a.Description, StringComparer.OrdinalIgnoreCase);
        foreach (var (parameter, constraint) in RouteParameters(route))
        {
            parameters.Add(new JsonObject
            {
                ["name"] = parameter,
                ["in"] = "path",
                ["required"] = true,
                ["description"] = routeDescriptions.GetValueOrDefault(parameter, $"Route parameter {parameter}."),
                ["schema"] = constraint == "int" ? new JsonObject { ["type"] = "integer", ["format"] = "int32" } : new JsonObject { ["type"] = "string" },
            });
        }

        foreach (var query in method.GetCustomAttributes<ApiQueryAttribute>())
        {
            parameters.Add(QueryParameter(query));
        }

        foreach (var header in method.GetCustomAttributes<ApiHeaderAttribute>())
        {
            parameters.Add(new JsonObject
            {
                ["name"] = header.Name,
                ["in"] = "header",
                ["required"] = header.Required,
                ["description"] = header.Description,
                ["schema"] = new JsonObject { ["type"] = "string" },
            });
        }

        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        var bodies = method.GetCustomAttributes<ApiBodyAttribute>().ToList();
        if (bodies.Count > 0)
        {
            var content = new JsonObject();
            foreach (var body in bodies)
            {
                content[body.ContentType] = new JsonObject { ["schema"] = Schema(body.Type, forRequest: true) };
            }

            operation["requestBody"] = new JsonObject
            {
                ["required"] = bodies.Any(b => b.Required),
                ["description"] = bodies.Select(b => b.Description).FirstOrDefault(d => d is not null) ?? "The request body.",
                ["content"] = content,
            };
        }

        operation["responses"] = Responses(method);
        operation["security"] = authLevel switch
        {
            AuthorizationLevel.Anonymous => new JsonArray(),
            AuthorizationLevel.Admin => new JsonArray(bearerForAdmin
                ? new JsonObject { ["masterKey"] = new JsonArray(), ["bearer"] = new JsonArray() }
                : new JsonObject { ["masterKey"] = new JsonArray() }),
            _ => new JsonArray(new JsonObject { ["functionKey"] = new JsonArray() }, new JsonObject { ["functionKeyQuery"] = new JsonArray() }),
        };
        return operation;
    }

    private JsonObject Responses(MethodInfo method)
    {
        var declared = method.GetCustomAttributes<ApiResponseAttribute>()
            .Append(new ApiResponseAttribute(StatusCodes.Status500InternalServerError) { Codes = [UnhandledExceptionMiddleware.Code] })
            .GroupBy(r => r.Status)
            .OrderBy(g => g.Key);
        var responses = new JsonObject();
        foreach (var group in declared)
        {
            var status = group.Key;
            var codes = group.SelectMany(r => r.Codes).Distinct(StringComparer.Ordinal).ToArray();
            var reason = ReasonPhrases.GetReasonPhrase(status);
            var response = new JsonObject
            {
                ["description"] = group.Select(r => r.Description).FirstOrDefault(d => d is not null)
                    ?? (codes.Length > 0 ? $"{reason}: {string.Join(", ", codes)}" : reason),
            };
            if (group.FirstOrDefault(r => r.Type is not null) is { } typed)
            {
                response["content"] = new JsonObject { [typed.ContentType] = new JsonObject { ["schema"] = Schema(typed.Type!, forRequest: false) } };
            }
            else if (status >= 400)
            {
                response["content"] = new JsonObject { [ApiProblem.ContentType] = new JsonObject { ["schema"] = Reference(ProblemSchemaName) } };
            }

            if (codes.Length > 0)
            {
                response["x-problem-codes"] = new JsonArray(codes.Select(c => (JsonNode)JsonValue.Create(c)).ToArray());
            }

            responses[status.ToString(CultureInfo.InvariantCulture)] = response;
        }

        return responses;
    }

    private JsonObject QueryParameter(ApiQueryAttribute query)
    {
        var schema = query.Type == typeof(string[])
            ? new JsonObject { ["type"] = "string", ["description"] = "Comma-separated values." }
            : Schema(query.Type, forRequest: true);
        if (!double.IsNaN(query.Minimum))
        {
            schema["minimum"] = query.Minimum;
        }

        if (!double.IsNaN(query.Maximum))
        {
            schema["maximum"] = query.Maximum;
        }

        if (query.Default is { } defaultValue)
        {
            schema["default"] = defaultValue;
        }

        return new JsonObject
        {
            ["name"] = query.Name,
            ["in"] = "query",
            ["required"] = query.Required,
            ["description"] = query.Description,
            ["schema"] = schema,
        };
    }

    /// <summary>The JSON schema of <paramref name="type"/> as System.Text.Json (web defaults) writes it; classes become components.</summary>
    private JsonObject Schema(Type type, bool forRequest)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            var inner = Schema(underlying, forRequest);
            if (!inner.ContainsKey("$ref"))
            {
                inner["nullable"] = true;
            }

            return inner;
        }

        if (Primitive(type) is { } primitive)
        {
            return primitive;
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["type"] = "integer", ["description"] = string.Join(", ", Enum.GetNames(type)) };
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(valueType, forRequest) };
        }

        if (type != typeof(string) && ElementType(type) is { } elementType)
        {
            return new JsonObject { ["type"] = "array", ["items"] = Schema(elementType, forRequest) };
        }

        return Reference(Component(type, forRequest));
    }

    private string Component(Type type, bool forRequest)
    {
        if (_schemaNames.TryGetValue(type, out var known))
        {
            return known;
        }

        var name = ComponentName(type);
        for (var suffix = 2; _schemas.ContainsKey(name); suffix++)
        {
            name = ComponentName(type) + suffix.ToString(CultureInfo.InvariantCulture);
        }

        _schemaNames[type] = name;
        _schemas[name] = new JsonObject();
        var constructorParameters = type.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always }
                || property.GetMethod?.IsPublic != true)
            {
                continue;
            }

            // A body binds to constructor parameters and setters; computed properties are only ever written.
            if (forRequest && property.SetMethod?.IsPublic != true && !constructorParameters.Contains(property.Name))
            {
                continue;
            }

            var jsonName = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var schema = Schema(property.PropertyType, forRequest);
            Annotate(schema, property);
            // [Required] wins over a nullable CLR type: a body type may use nullable members to report a missing field itself.
            var isRequired = property.GetCustomAttribute<RequiredAttribute>() is not null;
            if (isRequired)
            {
                schema.Remove("nullable");
            }

            var nullable = !isRequired
                && (Nullable.GetUnderlyingType(property.PropertyType) is not null
                    || (!property.PropertyType.IsValueType && _nullability.Create(property).ReadState == NullabilityState.Nullable));
            if (nullable && schema.ContainsKey("$ref"))
            {
                schema = new JsonObject { ["nullable"] = true, ["allOf"] = new JsonArray(schema) };
            }
            else if (nullable)
            {
                schema["nullable"] = true;
            }
            else
            {
                required.Add(jsonName);
            }

            properties[jsonName] = schema;
        }

        var component = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            component["required"] = required;
        }

        _schemas[name] = component;
        return name;
    }

    /// <summary>The bounds a property declares with data annotations ([Description], [StringLength], [Range], [RegularExpression], [MaxLength]).</summary>
    private static void Annotate(JsonObject schema, PropertyInfo property)
    {
        if (schema.ContainsKey("$ref"))
        {
            return;
        }

        if (property.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema["description"] = description.Description;
        }

        if (property.GetCustomAttribute<StringLengthAttribute>() is { } length)
        {
            if (length.MinimumLength > 0)
            {
                schema["minLength"] = length.MinimumLength;
            }

            schema["maxLength"] = length.MaximumLength;
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema["minimum"] = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
            schema["maximum"] = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        }

        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern)
        {
            schema["pattern"] = pattern.Pattern;
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            schema[(string?)schema["type"] == "object" ? "maxProperties" : "maxItems"] = maxLength.Length;
        }
    }

    private static string ComponentName(Type type) =>
        type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Concat(type.GetGenericArguments().Select(ComponentName))
            : type.Name;

    private static JsonObject? Primitive(Type type) => type switch
    {
        _ when type == typeof(string) || type == typeof(char) => new JsonObject { ["type"] = "string" },
        _ when type == typeof(bool) => new JsonObject { ["type"] = "boolean" },
        _ when type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ushort) || type == typeof(sbyte)
            => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
        _ when type == typeof(long) || type == typeof(ulong) => new JsonObject { ["type"] = "integer", ["format"] = "int64" },
        _ when type == typeof(float) => new JsonObject { ["type"] = "number", ["format"] = "float" },
        _ when type == typeof(double) || type == typeof(decimal) => new JsonObject { ["type"] = "number", ["format"] = "double" },
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        _ when type == typeof(DateOnly) => new JsonObject { ["type"] = "string", ["format"] = "date" },
        _ when type == typeof(TimeSpan) || type == typeof(TimeOnly) => new JsonObject { ["type"] = "string" },
        _ when type == typeof(Guid) => new JsonObject { ["type"] = "string", ["format"] = "uuid" },
        _ when type == typeof(Uri) => new JsonObject { ["type"] = "string", ["format"] = "uri" },
        _ when type == typeof(byte[]) => new JsonObject { ["type"] = "string", ["format"] = "byte" },
        _ when type == typeof(JsonElement) || type == typeof(JsonNode) || type == typeof(JsonObject) || type == typeof(object) => [],
        _ => null,
    };

    private static Type? DictionaryValueType(Type type)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(Dictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));
        return dictionary?.GetGenericArguments()[1];
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0] ?? typeof(object);
    }

    private static JsonObject Reference(string name) => new() { ["$ref"] = "#/components/schemas/" + name };

    private static JsonObject ApiKey(string location, string name, string description) =>
        new() { ["type"] = "apiKey", ["in"] = location, ["name"] = name, ["description"] = description };

    /// <summary>RFC 7807 as <see cref="ApiProblem"/> writes it; extensions such as <c>parameter</c> or <c>requestId</c> may follow.</summary>
    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 7807 problem details. Branch on `code`, never on the wording of title or detail.",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["format"] = "uri" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["instance"] = new JsonObject { ["type"] = "string", ["nullable"] = true },
            ["code"] = new JsonObject { ["type"] = "string", ["description"] = "Stable machine-readable code; also the last segment of type." },
            ["parameter"] = new JsonObject { ["type"] = "string", ["description"] = "For invalid-parameter: which parameter." },
            ["requestId"] = new JsonObject { ["type"] = "string", ["description"] = "For internal-error: the request id to quote." },
        },
        ["required"] = new JsonArray("type", "title", "status", "code"),
        ["additionalProperties"] = true,
    };

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?<constraint>[^}=?]+))?(?:=[^}]*)?\??\}")]
    private static partial Regex RouteParameter();
}
