package io.tribune.acl;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The structural check that hcl4j (0.6 to 0.9) does not make: it accepts an unclosed block, an
 * extra closing brace, an unclosed list and an unterminated string, and then returns a tree other
 * than the text says (an unclosed {@code ports {} block's keys land at the top level). Run before
 * the parser, this finds those faults and names their line and column; the parser still decides
 * everything else. It knows HCL 1's lexical forms: {@code "..."} strings with backslash escapes and
 * {@code ${...}} interpolations (which may hold strings), heredocs ({@code <<EOF} and {@code <<-EOF}),
 * and {@code #}, {@code //} and {@code /* * /} comments.
 *
 * <p>Stateless; thread-safe. Linear in the text; the nesting it tracks is bounded by the caller's
 * size limit on the text.
 */
public final class HclSyntax {
    private HclSyntax() {
    }

    /** A structural fault, its message starting with "line L, column C: ". */
    public static final class SyntaxException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    private record Open(char bracket, int line, int column) {
    }

    /**
     * Checks that every bracket closes in order, every string and comment ends, and every heredoc
     * finds its end marker.
     *
     * @throws SyntaxException naming the first fault's line and column
     */
    public static void check(String text) {
        new Scanner(text).run();
    }

    private static final class Scanner {
        private final String s;
        private int i;
        private int line = 1;
        private int lineStart;
        private final Deque<Open> open = new ArrayDeque<>();

        Scanner(String s) {
            this.s = s;
        }

        private int column() {
            return i - lineStart + 1;
        }

        private SyntaxException fault(int atLine, int atColumn, String what) {
            return new SyntaxException("line " + atLine + ", column " + atColumn + ": " + what);
        }

        private void newline() {
            line++;
            lineStart = i + 1;
        }

        void run() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\n') {
                    newline();
                    i++;
                } else if (c == '#' || (c == '/' && next() == '/')) {
                    skipToEndOfLine();
                } else if (c == '/' && next() == '*') {
                    blockComment();
                } else if (c == '"') {
                    string();
                } else if (c == '<' && next() == '<' && heredocStarts()) {
                    heredoc();
                } else if (c == '{' || c == '[' || c == '(') {
                    open.push(new Open(c, line, column()));
                    i++;
                } else if (c == '}' || c == ']' || c == ')') {
                    close(c);
                    i++;
                } else {
                    i++;
                }
            }
            if (!open.isEmpty()) {
                Open o = open.peek();
                throw fault(o.line(), o.column(), "'" + o.bracket() + "' is never closed");
            }
        }

        private char next() {
            return i + 1 < s.length() ? s.charAt(i + 1) : '\0';
        }

        private void close(char c) {
            char want = c == '}' ? '{' : c == ']' ? '[' : '(';
            if (open.isEmpty()) {
                throw fault(line, column(), "'" + c + "' closes nothing");
            }
            Open o = open.peek();
            if (o.bracket() != want) {
                throw fault(line, column(), "'" + c + "' where '" + closer(o.bracket()) + "' closes the '"
                        + o.bracket() + "' of line " + o.line() + ", column " + o.column());
            }
            open.pop();
        }

        private static char closer(char open) {
            return open == '{' ? '}' : open == '[' ? ']' : ')';
        }

        private void skipToEndOfLine() {
            while (i < s.length() && s.charAt(i) != '\n') {
                i++;
            }
        }

        private void blockComment() {
            int l = line;
            int col = column();
            i += 2;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '*' && next() == '/') {
                    i += 2;
                    return;
                }
                if (c == '\n') {
                    newline();
                }
                i++;
            }
            throw fault(l, col, "comment '/*' is never closed");
        }

        /** A string from its opening quote, with escapes and interpolations; ends after the closing quote. */
        private void string() {
            int l = line;
            int col = column();
            i++;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\\') {
                    i += 2;
                } else if (c == '"') {
                    i++;
                    return;
                } else if (c == '\n') {
                    throw fault(l, col, "string is not closed on its line");
                } else if (c == '$' && next() == '{') {
                    interpolation();
                } else {
                    i++;
                }
            }
            throw fault(l, col, "string is never closed");
        }

        /** {@code ${...}} inside a string: braces and strings nest until its closing brace. */
        private void interpolation() {
            int l = line;
            int col = column();
            i += 2;
            int depth = 1;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    string();
                    continue;
                }
                if (c == '\n') {
                    throw fault(l, col, "'${' is not closed on its line");
                }
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    i++;
                    return;
                }
                i++;
            }
            throw fault(l, col, "'${' is never closed");
        }

        private boolean heredocStarts() {
            int j = i + 2;
            if (j < s.length() && s.charAt(j) == '-') {
                j++;
            }
            return j < s.length() && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '_');
        }

        /** {@code <<ID} or {@code <<-ID}, a newline, then lines up to one that is the marker (trimmed for {@code <<-}). */
        private void heredoc() {
            int l = line;
            int col = column();
            i += 2;
            boolean indented = s.charAt(i) == '-';
            if (indented) {
                i++;
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '-')) {
                i++;
            }
            String marker = s.substring(start, i);
            int eol = s.indexOf('\n', i);
            if (eol < 0 || !s.substring(i, eol).strip().isEmpty()) {
                throw fault(l, col, "heredoc '<<" + (indented ? "-" : "") + marker + "' must end its line");
            }
            i = eol;
            while (i < s.length()) {
                // at a newline: look at the next line
                newline();
                i++;
                int end = s.indexOf('\n', i);
                String body = s.substring(i, end < 0 ? s.length() : end);
                if ((indented ? body.strip() : body.stripTrailing()).equals(marker)) {
                    i = end < 0 ? s.length() : end;
                    return;
                }
                i = end < 0 ? s.length() : end;
            }
            throw fault(l, col, "heredoc '" + marker + "' has no end line '" + marker + "'");
        }
    }
}
