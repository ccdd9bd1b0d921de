using System.Text;

namespace NGGen.Generators.Helpers;

/// <summary>A minimal indented writer for emitting generated source.</summary>
internal sealed class IndentedTextWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void WriteLine(string line = "")
    {
        if (line.Length > 0)
            _builder.Append(' ', _indent * 4);
        _builder.Append(line).Append('\n');
    }

    /// <summary>Writes a multi-line block (e.g. a raw string literal), indenting each line.</summary>
    public void WriteBlock(string block)
    {
        foreach (var line in block.Replace("\r\n", "\n").Split('\n'))
            WriteLine(line);
    }

    public void OpenBrace()
    {
        WriteLine("{");
        _indent++;
    }

    public void CloseBrace(string suffix = "")
    {
        _indent--;
        WriteLine("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
