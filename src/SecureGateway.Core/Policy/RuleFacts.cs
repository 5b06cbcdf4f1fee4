using System.Text.Json;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace SecureGateway.Policy;

/// <summary>
/// The facts as every rule of a bundle receives them: one JSON text, split once into its top-level members. In a rule's
/// engine the facts object has those members in order, each parsed from its JSON on first use (a rule reads a few of
/// them: the age rule the times, the licence rule the licences), then an ordinary data property. Facts that are not
/// a JSON object (a policy test may pass anything) are parsed whole inside the sandbox, as before.
/// </summary>
internal sealed class RuleFacts
{
    private readonly string json;
    private readonly (string Name, string Json)[]? members;

    private RuleFacts(string json, (string Name, string Json)[]? members) => (this.json, this.members) = (json, members);

    public static RuleFacts Of(string json)
    {
        try
        {
            // Deeper than 64 (the limit of both parsers) is left to JSON.parse, which refuses it as it always did.
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new(json, [.. document.RootElement.EnumerateObject().Select(member => (member.Name, member.Value.GetRawText()))])
                : new(json, null);
        }
        catch (JsonException)
        {
            // JSON.parse inside the sandbox reports what is wrong with it, as it always did.
            return new(json, null);
        }
    }

    /// <summary>
    /// The facts object for <paramref name="engine"/>, or the whole JSON as a string where it is not an object (the
    /// driver parses a string). Parsing on first use happens inside the evaluation, under the sandbox's limits.
    /// </summary>
    public JsValue In(Engine engine)
    {
        if (members is null)
        {
            return new JsString(json);
        }

        var facts = new JsObject(engine);
        foreach (var (name, memberJson) in members)
        {
            JsValue? parsed = null;
            // Replaced by a data property when first read or written; should a rule have frozen the object first, the
            // value parsed once is what every read returns.
            var read = new ClrFunction(engine, name, (_, _) =>
            {
                parsed ??= new JsonParser(engine).Parse(memberJson);
                facts.DefineOwnProperty(name, new PropertyDescriptor(parsed, PropertyFlag.ConfigurableEnumerableWritable));
                return parsed;
            });
            var write = new ClrFunction(engine, name, (_, arguments) =>
            {
                if (!facts.DefineOwnProperty(name, new PropertyDescriptor(arguments.At(0), PropertyFlag.ConfigurableEnumerableWritable)))
                {
                    throw new JavaScriptException(engine.Intrinsics.TypeError, $"Cannot assign to read only property '{name}' of object");
                }

                parsed = arguments.At(0);
                return JsValue.Undefined;
            }, 1);
            facts.DefineOwnProperty(name, new GetSetPropertyDescriptor(read, write, enumerable: true, configurable: true));
        }

        return facts;
    }
}
