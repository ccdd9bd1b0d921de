using System.Text;

namespace NGGen.IO;

/// <summary>A model's parameter layout as text and as a hash: names, shapes and offsets of the tensors in θ. Two
/// models can share a θ only when their layouts are equal, so checkpoints record the hash and are refused on a
/// mismatch (a renamed, resized or reordered parameter).</summary>
public static class ParameterLayout
{
    /// <summary>The layout of <typeparamref name="TModel"/>, e.g. <c>W1[16,2]@0,b1[16]@32,c@48</c>.</summary>
    public static string Describe<TModel>() where TModel : IModel<TModel> =>
        string.Join(",", TModel.Parameters.Select(p => $"{p.Name}{(p.Shape.Length == 0 ? "" : $"[{string.Join(",", p.Shape)}]")}@{p.Offset}"));

    /// <summary>The 64-bit FNV-1a hash of <see cref="Describe{TModel}"/>, as 16 hex digits.</summary>
    public static string Hash<TModel>() where TModel : IModel<TModel> => Hash(Describe<TModel>());

    /// <summary>The 64-bit FNV-1a hash of <paramref name="layout"/>, as 16 hex digits.</summary>
    public static string Hash(string layout)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(layout))
            hash = (hash ^ b) * 1099511628211UL;
        return hash.ToString("x16");
    }
}
