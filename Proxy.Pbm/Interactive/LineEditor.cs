using System.Text;

namespace Proxy.Pbm.Interactive;

/// <summary>
/// A small line editor over <see cref="Console.ReadKey(bool)"/>: typing, backspace, delete, left and
/// right, home and end, up and down through history, Tab to complete (a second Tab lists the
/// candidates), Ctrl+C clears the line, Ctrl+D on an empty line ends. Redraws with ANSI sequences.
/// Written here because RadLine is a preview whose terminal detection we could not rely on under a pty.
/// </summary>
internal sealed class LineEditor(Completer completer, TextWriter output)
{
    private const int MaxHistory = 500;
    private readonly List<string> _history = new();

    public string? ReadLine(string prompt)
    {
        // Ctrl+C clears the line instead of ending pbm.
        Console.TreatControlCAsInput = true;
        var buffer = new StringBuilder();
        var cursor = 0;
        var historyIndex = _history.Count;
        var lastWasTab = false;
        output.Write(prompt);
        output.Flush();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            var isTab = key.Key == ConsoleKey.Tab;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    output.WriteLine();
                    var line = buffer.ToString();
                    if (line.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != line))
                    {
                        _history.Add(line);
                        if (_history.Count > MaxHistory) _history.RemoveAt(0);
                    }
                    return line;
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < buffer.Length:
                    buffer.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    Replace(buffer, _history[--historyIndex], ref cursor);
                    break;
                case ConsoleKey.DownArrow when historyIndex < _history.Count:
                    historyIndex++;
                    Replace(buffer, historyIndex == _history.Count ? "" : _history[historyIndex], ref cursor);
                    break;
                case ConsoleKey.Tab:
                    Complete(buffer, ref cursor, lastWasTab, prompt);
                    break;
                default:
                    if (key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key == ConsoleKey.D && buffer.Length == 0)
                    {
                        output.WriteLine();
                        return null;
                    }
                    if (key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key == ConsoleKey.C)
                    {
                        buffer.Clear();
                        cursor = 0;
                        output.WriteLine("^C");
                        break;
                    }
                    if (!char.IsControl(key.KeyChar)) buffer.Insert(cursor++, key.KeyChar);
                    break;
            }
            lastWasTab = isTab;
            Redraw(prompt, buffer, cursor);
        }
    }

    private static void Replace(StringBuilder buffer, string text, ref int cursor)
    {
        buffer.Clear().Append(text);
        cursor = buffer.Length;
    }

    private void Complete(StringBuilder buffer, ref int cursor, bool listCandidates, string prompt)
    {
        var before = buffer.ToString(0, cursor);
        var candidates = completer.Candidates(before);
        if (candidates.Count == 0) return;
        var partial = before.Length == 0 || before.EndsWith(' ') ? "" : before.Split(' ')[^1];
        var completion = candidates.Count == 1 ? candidates[0] + " " : Completer.CommonPrefix(candidates);
        if (completion.Length > partial.Length)
        {
            var add = completion[partial.Length..];
            buffer.Insert(cursor, add);
            cursor += add.Length;
        }
        else if (listCandidates || candidates.Count > 1)
        {
            output.WriteLine();
            output.WriteLine(string.Join("  ", candidates));
            output.Write(prompt);
        }
    }

    private void Redraw(string prompt, StringBuilder buffer, int cursor)
    {
        output.Write("\r" + prompt + buffer + "\u001b[K");
        var back = buffer.Length - cursor;
        if (back > 0) output.Write($"\u001b[{back}D");
        output.Flush();
    }
}
