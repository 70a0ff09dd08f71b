using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// IntelliSense shows what the library's XML doc file (Microsoft.ML.MultiInterest.xml, written beside the assembly by
/// GenerateDocumentationFile) holds. Every public or protected method and constructor of an exported type has a non-empty
/// &lt;param&gt; for each parameter, a &lt;typeparam&gt; for each type parameter and, unless it returns void, a &lt;returns&gt;;
/// an &lt;inheritdoc/&gt; counts where the member overrides or implements one it can inherit from. The compiler's own warnings
/// (CS1591, CS1573) miss a member whose summary is there but whose parameters are all undocumented: 119 public methods were
/// so until 2026-12. Left out: members the compiler writes (a record's Equals, Deconstruct, copy constructor), property and
/// event accessors, and members declared outside the library.
/// </summary>
public sealed class XmlDocCompletenessTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void EveryPublicMethod_DocumentsEachParameter_AndItsResult()
    {
        var assembly = typeof(GraphEmbeddingOptions).Assembly;
        string path = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(path), $"No XML doc file beside the library ({path}): its project sets GenerateDocumentationFile.");
        var docs = XDocument.Load(path).Root!.Element("members")!.Elements("member").ToDictionary(m => (string)m.Attribute("name")!);

        var incomplete = Incomplete(assembly, docs);

        Assert.True(incomplete.Count == 0, $"{incomplete.Count} public member{(incomplete.Count == 1 ? "" : "s")} of the library lack{(incomplete.Count == 1 ? "s" : "")} XML docs:\n  " + string.Join("\n  ", incomplete));
    }

    /// <summary>One line per public or protected member whose docs miss something, naming what.</summary>
    internal static List<string> Incomplete(Assembly assembly, IReadOnlyDictionary<string, XElement> docs)
    {
        var incomplete = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.IsGenericTypeDefinition && docs.TryGetValue("T:" + TypeId(type), out var typeDoc))
                incomplete.AddRange(Missing(typeDoc, "typeparam", type.GetGenericArguments().Skip(type.DeclaringType?.GetGenericArguments().Length ?? 0).Select(a => a.Name))
                    .Select(m => $"{m} in T:{TypeId(type)}"));
            foreach (var member in type.GetConstructors(Declared).Cast<MethodBase>().Concat(type.GetMethods(Declared)))
            {
                if (!(member.IsPublic || member.IsFamily || member.IsFamilyOrAssembly)) continue;
                if (member.IsSpecialName && member is MethodInfo) continue;   // property and event accessors, operators
                if (member.IsDefined(typeof(CompilerGeneratedAttribute))) continue;
                bool returns = member is MethodInfo method && method.ReturnType != typeof(void);
                var typeParameters = member.IsGenericMethodDefinition ? member.GetGenericArguments() : [];
                var parameters = member.GetParameters();
                if (parameters.Length == 0 && !returns && typeParameters.Length == 0) continue;

                string id = MemberId(type, member);
                if (!docs.TryGetValue(id, out var doc))
                {
                    incomplete.Add($"no doc at all: {id}");
                    continue;
                }
                if (doc.Element("inheritdoc") is { } inherit)
                {
                    if (inherit.Attribute("cref") == null && !InheritsDocs(type, member))
                        incomplete.Add($"<inheritdoc/> with nothing to inherit from: {id}");
                    continue;
                }
                var missing = Missing(doc, "param", parameters.Select(p => p.Name!))
                    .Concat(Missing(doc, "typeparam", typeParameters.Select(a => a.Name)))
                    .Concat(returns && !Documented(doc.Elements("returns")) ? ["<returns>"] : []);
                incomplete.AddRange(missing.Select(m => $"{m} in {id}"));
            }
        }
        return incomplete;
    }

    private static IEnumerable<string> Missing(XElement doc, string tag, IEnumerable<string> names) =>
        names.Where(n => !Documented(doc.Elements(tag).Where(e => (string?)e.Attribute("name") == n))).Select(n => $"<{tag} name=\"{n}\">");

    /// <summary>A tag that says something: text, or a &lt;see&gt; or other element.</summary>
    private static bool Documented(IEnumerable<XElement> tags) => tags.Any(t => t.HasElements || !string.IsNullOrWhiteSpace(t.Value));

    /// <summary>Whether an &lt;inheritdoc/&gt; without cref has a source: a base member overridden or an interface member implemented.</summary>
    private static bool InheritsDocs(Type type, MethodBase member)
    {
        if (member is not MethodInfo method) return false;
        if (method.GetBaseDefinition().DeclaringType != method.DeclaringType) return true;
        return !type.IsInterface && type.GetInterfaces().Any(i => type.GetInterfaceMap(i).TargetMethods.Contains(method));
    }

    /// <summary>The member's ID in the XML doc file (C# language specification, annex D "Documentation comments").</summary>
    private static string MemberId(Type type, MethodBase member)
    {
        string name = member is ConstructorInfo ? (member.IsStatic ? "#cctor" : "#ctor") : member.Name;
        if (member.IsGenericMethodDefinition) name += "``" + member.GetGenericArguments().Length;
        var parameters = member.GetParameters();
        string id = "M:" + TypeId(type) + "." + name;
        if (parameters.Length > 0) id += "(" + string.Join(",", parameters.Select(p => ParameterTypeId(p.ParameterType))) + ")";
        if (member.Name is "op_Implicit" or "op_Explicit") id += "~" + ParameterTypeId(((MethodInfo)member).ReturnType);
        return id;
    }

    private static string TypeId(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static string ParameterTypeId(Type type)
    {
        if (type.IsByRef) return ParameterTypeId(type.GetElementType()!) + "@";
        if (type.IsPointer) return ParameterTypeId(type.GetElementType()!) + "*";
        if (type.IsArray)
            return ParameterTypeId(type.GetElementType()!) + (type.GetArrayRank() == 1 ? "[]" : "[" + string.Join(",", Enumerable.Repeat("0:", type.GetArrayRank())) + "]");
        if (type.IsGenericParameter) return (type.DeclaringMethod != null ? "``" : "`") + type.GenericParameterPosition;
        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        string id = (type.IsNested ? ParameterTypeId(type.DeclaringType!) : type.Namespace) is { Length: > 0 } outer ? outer + "." + name : name;
        var arguments = type.GetGenericArguments().Skip(type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0).ToArray();
        if (type.IsGenericType && arguments.Length > 0) id += "{" + string.Join(",", arguments.Select(ParameterTypeId)) + "}";
        return id;
    }
}
