//! The tokens of Milvus's expression grammar (`internal/parser/planparserv2/Plan.g4`, lexer rules).
//!
//! ANTLR's lexer takes the longest match at each position and, between rules of equal length, the one declared
//! first; keywords therefore win over identifiers of the same spelling (`in`, `like`, `true`), while `inx` stays an
//! identifier. Keywords exist only in the spellings the grammar lists (`and`/`AND`, never `And`). Whitespace and
//! newlines are skipped. A JSON path such as `meta["a"][0]` is one token, without spaces inside, as in Milvus.

/// A token kind; literal tokens carry their text in [`Token::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Like,
    Exists,
    TextMatch,
    MinimumShouldMatch,
    Assign,
    PhraseMatch,
    RandomSample,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Shl,
    Shr,
    BAnd,
    BOr,
    BXor,
    And,
    Or,
    IsNull,
    IsNotNull,
    BNot,
    Not,
    In,
    EmptyArray,
    JsonContains,
    JsonContainsAll,
    JsonContainsAny,
    ArrayContains,
    ArrayContainsAll,
    ArrayContainsAny,
    ArrayLength,
    Bool,
    Int,
    Float,
    Ident,
    Meta,
    Str,
    JsonIdent,
    Eof,
}

impl Tok {
    /// How ANTLR names the token in "expecting ..." messages: the literal for literal tokens, the rule name
    /// otherwise.
    pub(crate) fn display(self) -> &'static str {
        match self {
            Tok::LBrace => "'{'",
            Tok::RBrace => "'}'",
            Tok::LParen => "'('",
            Tok::RParen => "')'",
            Tok::LBracket => "'['",
            Tok::RBracket => "']'",
            Tok::Comma => "','",
            Tok::Str => "StringLiteral",
            Tok::Ident => "Identifier",
            Tok::Int => "IntegerConstant",
            Tok::MinimumShouldMatch => "MINIMUM_SHOULD_MATCH",
            Tok::Assign => "'='",
            _ => "<token>",
        }
    }
}

/// One token: its kind, its text as written, and its column (in characters) for ANTLR-style positions.
#[derive(Debug, Clone)]
pub(crate) struct Token<'s> {
    pub kind: Tok,
    pub text: &'s str,
    pub line: usize,
    pub column: usize,
}

/// A lexer failure, worded as ANTLR's lexer reports it (`line L:C token recognition error at: '...'`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError(pub String);

/// Keywords, longest first where one is a prefix of another (`is not null` before `is null`).
const KEYWORDS: &[(&str, Tok)] = &[
    ("is not null", Tok::IsNotNull),
    ("IS NOT NULL", Tok::IsNotNull),
    ("is null", Tok::IsNull),
    ("IS NULL", Tok::IsNull),
    ("like", Tok::Like),
    ("LIKE", Tok::Like),
    ("exists", Tok::Exists),
    ("EXISTS", Tok::Exists),
    ("minimum_should_match", Tok::MinimumShouldMatch),
    ("MINIMUM_SHOULD_MATCH", Tok::MinimumShouldMatch),
    ("text_match", Tok::TextMatch),
    ("TEXT_MATCH", Tok::TextMatch),
    ("phrase_match", Tok::PhraseMatch),
    ("PHRASE_MATCH", Tok::PhraseMatch),
    ("random_sample", Tok::RandomSample),
    ("RANDOM_SAMPLE", Tok::RandomSample),
    ("and", Tok::And),
    ("AND", Tok::And),
    ("or", Tok::Or),
    ("OR", Tok::Or),
    ("not", Tok::Not),
    ("NOT", Tok::Not),
    ("in", Tok::In),
    ("IN", Tok::In),
    ("json_contains_all", Tok::JsonContainsAll),
    ("JSON_CONTAINS_ALL", Tok::JsonContainsAll),
    ("json_contains_any", Tok::JsonContainsAny),
    ("JSON_CONTAINS_ANY", Tok::JsonContainsAny),
    ("json_contains", Tok::JsonContains),
    ("JSON_CONTAINS", Tok::JsonContains),
    ("array_contains_all", Tok::ArrayContainsAll),
    ("ARRAY_CONTAINS_ALL", Tok::ArrayContainsAll),
    ("array_contains_any", Tok::ArrayContainsAny),
    ("ARRAY_CONTAINS_ANY", Tok::ArrayContainsAny),
    ("array_contains", Tok::ArrayContains),
    ("ARRAY_CONTAINS", Tok::ArrayContains),
    ("array_length", Tok::ArrayLength),
    ("ARRAY_LENGTH", Tok::ArrayLength),
    ("true", Tok::Bool),
    ("True", Tok::Bool),
    ("TRUE", Tok::Bool),
    ("false", Tok::Bool),
    ("False", Tok::Bool),
    ("FALSE", Tok::Bool),
];

/// Operators, longest first.
const OPERATORS: &[(&str, Tok)] = &[
    ("&&", Tok::And),
    ("||", Tok::Or),
    ("<=", Tok::Le),
    (">=", Tok::Ge),
    ("==", Tok::Eq),
    ("!=", Tok::Ne),
    ("**", Tok::Pow),
    ("<<", Tok::Shl),
    (">>", Tok::Shr),
    ("{", Tok::LBrace),
    ("}", Tok::RBrace),
    ("(", Tok::LParen),
    (")", Tok::RParen),
    ("]", Tok::RBracket),
    (",", Tok::Comma),
    ("<", Tok::Lt),
    (">", Tok::Gt),
    ("+", Tok::Add),
    ("-", Tok::Sub),
    ("*", Tok::Mul),
    ("/", Tok::Div),
    ("%", Tok::Mod),
    ("&", Tok::BAnd),
    ("|", Tok::BOr),
    ("^", Tok::BXor),
    ("~", Tok::BNot),
    ("!", Tok::Not),
    // Only `text_match`'s option uses it, but it is a token: `id = 1` parses `id` and stops at `=`.
    ("=", Tok::Assign),
];

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, LexError> {
    let mut lexer = Lexer { src, pos: 0, line: 1, line_start: 0, tokens: Vec::new() };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    line: usize,
    line_start: usize,
    tokens: Vec<Token<'s>>,
}

impl<'s> Lexer<'s> {
    fn run(&mut self) -> Result<(), LexError> {
        loop {
            self.skip_blanks();
            if self.pos >= self.src.len() {
                let column = self.column(self.pos);
                self.tokens.push(Token { kind: Tok::Eof, text: "<EOF>", line: self.line, column });
                return Ok(());
            }
            let (kind, len) = self.next_token()?;
            let column = self.column(self.pos);
            let text = &self.src[self.pos..self.pos + len];
            self.tokens.push(Token { kind, text, line: self.line, column });
            self.pos += len;
        }
    }

    fn column(&self, at: usize) -> usize {
        self.src[self.line_start..at].chars().count()
    }

    fn skip_blanks(&mut self) {
        let bytes = self.src.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b' ' | b'\t' => self.pos += 1,
                b'\r' | b'\n' => {
                    self.pos += 1;
                    if b == b'\r' && bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    self.line += 1;
                    self.line_start = self.pos;
                }
                _ => return,
            }
        }
    }

    /// The longest token at the current position, as (kind, length in bytes).
    fn next_token(&self) -> Result<(Tok, usize), LexError> {
        let rest = &self.src[self.pos..];
        let mut best: Option<(Tok, usize)> = None;
        let mut consider = |kind: Tok, len: usize| {
            if len > 0 && best.is_none_or(|(_, l)| len > l) {
                best = Some((kind, len));
            }
        };
        for &(word, kind) in KEYWORDS.iter().chain(OPERATORS) {
            if rest.starts_with(word) {
                consider(kind, word.len());
            }
        }
        if let Some(len) = empty_array(rest) {
            consider(Tok::EmptyArray, len);
        } else if rest.starts_with('[') {
            consider(Tok::LBracket, 1);
        }
        if let Some((kind, len)) = number(rest) {
            consider(kind, len);
        }
        if let Some(len) = string_literal(rest) {
            consider(Tok::Str, len);
        }
        let ident = identifier(rest);
        let meta = if rest.starts_with("$meta") { 5 } else { 0 };
        let head = ident.max(meta);
        if head > 0 {
            // Identifier, `$meta`, or a JSON path starting with one; a keyword of the same length wins.
            let path = json_path_suffix(&rest[head..]);
            if path > 0 {
                consider(Tok::JsonIdent, head + path);
            } else if meta == head {
                consider(Tok::Meta, head);
            } else {
                consider(Tok::Ident, head);
            }
        }
        best.ok_or_else(|| self.recognition_error(rest))
    }

    fn recognition_error(&self, rest: &str) -> LexError {
        // An unterminated string is reported from its quote to the end of the line; any other character alone.
        let text: String = if rest.starts_with(['"', '\'']) {
            rest.chars().take_while(|&c| c != '\n' && c != '\r').collect()
        } else {
            rest.chars().take(1).collect()
        };
        LexError(format!("line {}:{} token recognition error at: '{}'", self.line, self.column(self.pos), text))
    }
}

/// `[` followed by blanks and `]`: the grammar's `EmptyArray` token.
fn empty_array(rest: &str) -> Option<usize> {
    let inner = rest.strip_prefix('[')?;
    let trimmed = inner.trim_start_matches([' ', '\t', '\r', '\n']);
    trimmed.starts_with(']').then(|| rest.len() - trimmed.len() + 1)
}

fn identifier(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {}
        _ => return 0,
    }
    bytes.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count()
}

/// The `[...]` selectors after a name: string literals (raw or not) or decimal integers.
fn json_path_suffix(rest: &str) -> usize {
    let mut len = 0;
    loop {
        let Some(inner) = rest[len..].strip_prefix('[') else { return len };
        let key = string_literal(inner).or_else(|| raw_string_literal(inner)).or_else(|| decimal(inner));
        match key {
            Some(k) if inner[k..].starts_with(']') => len += 1 + k + 1,
            _ => return len,
        }
    }
}

fn decimal(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    match bytes.first()? {
        b'0' => Some(1),
        b'1'..=b'9' => Some(bytes.iter().take_while(|b| b.is_ascii_digit()).count()),
        _ => None,
    }
}

/// A quoted string with an optional encoding prefix (`u8`, `u`, `U`, `L`); escapes are validated later.
fn string_literal(rest: &str) -> Option<usize> {
    let prefixed =
        ["u8", "u", "U", "L"].iter().find_map(|p| rest.strip_prefix(p).filter(|b| b.starts_with(['"', '\''])));
    let body = prefixed.unwrap_or(rest);
    let start = rest.len() - body.len();
    let quote = body.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    quoted_len(body, quote, true).map(|len| start + len)
}

fn raw_string_literal(rest: &str) -> Option<usize> {
    let body = rest.strip_prefix(['r', 'R'])?;
    let quote = body.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    quoted_len(body, quote, false).map(|len| 1 + len)
}

/// The length of a quoted string starting at its opening quote; `None` when it is not closed on its line.
fn quoted_len(body: &str, quote: char, line_continuations: bool) -> Option<usize> {
    let mut chars = body.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, '\r' | '\n')) if !line_continuations => return None,
                Some(_) => {}
                None => return None,
            },
            '\r' | '\n' => return None,
            c if c == quote => return Some(i + c.len_utf8()),
            _ => {}
        }
    }
    None
}

/// An integer (decimal, octal, hex, binary) or a floating constant, the longer of the two.
fn number(rest: &str) -> Option<(Tok, usize)> {
    let float = float_len(rest).map(|l| (Tok::Float, l));
    let int = int_len(rest).map(|l| (Tok::Int, l));
    match (int, float) {
        (Some(i), Some(f)) => Some(if f.1 > i.1 { f } else { i }),
        (i, f) => i.or(f),
    }
}

fn digits(s: &str, radix: u32) -> usize {
    s.chars().take_while(|c| c.is_digit(radix)).count()
}

fn int_len(rest: &str) -> Option<usize> {
    let lower = rest.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") if digits(&rest[2..], 16) > 0 => return Some(2 + digits(&rest[2..], 16)),
        Some("0b") if digits(&rest[2..], 2) > 0 => return Some(2 + digits(&rest[2..], 2)),
        _ => {}
    }
    if let Some(octal) = rest.strip_prefix('0') {
        return Some(1 + digits(octal, 8));
    }
    decimal(rest)
}

fn float_len(rest: &str) -> Option<usize> {
    let whole = digits(rest, 10);
    let mut len = whole;
    let mut fraction = false;
    if rest[len..].starts_with('.') {
        let frac = digits(&rest[len + 1..], 10);
        if whole > 0 || frac > 0 {
            len += 1 + frac;
            fraction = true;
        }
    }
    if whole == 0 && !fraction {
        return None;
    }
    let exponent = exponent_len(&rest[len..]);
    if !fraction && exponent == 0 {
        return None;
    }
    Some(len + exponent)
}

fn exponent_len(rest: &str) -> usize {
    let Some(after) = rest.strip_prefix(['e', 'E']) else { return 0 };
    let sign = usize::from(after.starts_with(['+', '-']));
    let n = digits(&after[sign..], 10);
    if n == 0 { 0 } else { 1 + sign + n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn keywords_win_over_identifiers_of_the_same_length_only() {
        assert_eq!(kinds("a in b"), [Tok::Ident, Tok::In, Tok::Ident, Tok::Eof]);
        assert_eq!(kinds("inx And"), [Tok::Ident, Tok::Ident, Tok::Eof]);
        assert_eq!(kinds("True FALSE"), [Tok::Bool, Tok::Bool, Tok::Eof]);
    }

    #[test]
    fn json_paths_are_one_token_and_is_null_needs_one_space() {
        let tokens = tokenize(r#"meta["a"][0] is not null"#).unwrap();
        assert_eq!((tokens[0].kind, tokens[0].text), (Tok::JsonIdent, r#"meta["a"][0]"#));
        assert_eq!(tokens[1].kind, Tok::IsNotNull);
        assert_eq!(kinds("a is  null"), [Tok::Ident, Tok::Ident, Tok::Ident, Tok::Eof]);
    }

    #[test]
    fn numbers_take_the_longest_form() {
        assert_eq!(
            kinds("1 1.5 .5 1e3 0x1F 017 0b11"),
            [Tok::Int, Tok::Float, Tok::Float, Tok::Float, Tok::Int, Tok::Int, Tok::Int, Tok::Eof]
        );
    }

    #[test]
    fn an_unknown_character_is_a_recognition_error_at_its_column() {
        assert_eq!(tokenize("a == #").unwrap_err().0, "line 1:5 token recognition error at: '#'");
        assert_eq!(tokenize("a == \"abc").unwrap_err().0, "line 1:5 token recognition error at: '\"abc'");
    }
}
