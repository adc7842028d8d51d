//! JSON (RFC 8259) with the line of every object key and every value, read in one linear pass. Strings borrow
//! from the text unless they hold escapes; nesting is bounded ([`MAX_DEPTH`]) and no input makes it panic.

use super::LockError;
use std::borrow::Cow;
use std::ops::Deref;

pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    /// Validated, not kept.
    Num,
    Str(Cow<'a, str>),
    Arr(Vec<Node<'a>>),
    Obj(Vec<Member<'a>>),
}

/// A value and the 1-based line it starts on; it reads as its [`Value`].
pub(crate) struct Node<'a> {
    pub line: u32,
    pub value: Value<'a>,
}

impl<'a> Deref for Node<'a> {
    type Target = Value<'a>;

    fn deref(&self) -> &Value<'a> {
        &self.value
    }
}

pub(crate) struct Member<'a> {
    pub key: Cow<'a, str>,
    /// 1-based line of the key.
    pub line: u32,
    pub value: Node<'a>,
}

/// The member named `key`; of repeats the last, as JavaScript and PHP keep it.
pub(crate) fn member<'m, 'a>(members: &'m [Member<'a>], key: &str) -> Option<&'m Member<'a>> {
    members.iter().rev().find(|m| m.key == key)
}

/// The value of the member named `key` (the last one when the key repeats).
pub(crate) fn get<'m, 'a>(members: &'m [Member<'a>], key: &str) -> Option<&'m Node<'a>> {
    member(members, key).map(|m| &m.value)
}

impl<'a> Value<'a> {
    pub fn members(&self) -> Option<&[Member<'a>]> {
        match self {
            Value::Obj(m) => Some(m),
            _ => None,
        }
    }

    /// The member named `key` (the last one, as JavaScript keeps it, when the key repeats).
    pub fn member(&self, key: &str) -> Option<&Member<'a>> {
        member(self.members()?, key)
    }

    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.member(key).map(|m| &m.value.value)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Value::Bool(true)))
    }
}

/// Deeper nesting of arrays and objects is an error, not a stack overflow.
pub(crate) const MAX_DEPTH: u32 = 256;

/// One JSON value (RFC 8259), numbers validated but not kept.
pub(crate) fn parse(text: &str) -> Result<Node<'_>, LockError> {
    let mut p = Parser {
        s: text,
        i: 0,
        line: 1,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i < text.len() {
        return Err(p.unexpected("the end of the file"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
    line: u32,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn err(&self, message: impl Into<String>) -> LockError {
        LockError::new(self.line, message)
    }

    fn unexpected(&self, what: &str) -> LockError {
        match self.s.get(self.i..).and_then(|r| r.chars().next()) {
            Some(c) => self.err(format!("expected {what}, found `{}`", c.escape_debug())),
            None => self.err(format!("expected {what}, found the end of the file")),
        }
    }

    fn ws(&mut self) {
        let b = self.s.as_bytes();
        while let Some(&c) = b.get(self.i) {
            match c {
                b'\n' => self.line = self.line.saturating_add(1),
                b' ' | b'\t' | b'\r' => {}
                _ => break,
            }
            self.i += 1;
        }
    }

    fn enter(&mut self) -> Result<(), LockError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "nested deeper than {MAX_DEPTH} levels; no JSON nested so deeply is read"
            )));
        }
        self.i += 1;
        Ok(())
    }

    fn value(&mut self) -> Result<Node<'a>, LockError> {
        self.ws();
        let line = self.line;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::Str(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected("a JSON value")),
        };
        Ok(Node { line, value })
    }

    fn object(&mut self) -> Result<Value<'a>, LockError> {
        self.enter()?;
        let mut members = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::Obj(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a quoted object key"));
            }
            let line = self.line;
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:` after an object key"));
            }
            self.i += 1;
            let value = self.value()?;
            members.push(Member { key, line, value });
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `}` in an object")),
            }
        }
        self.depth -= 1;
        Ok(Value::Obj(members))
    }

    fn array(&mut self) -> Result<Value<'a>, LockError> {
        self.enter()?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::Arr(Vec::new()));
        }
        let mut items = Vec::new();
        loop {
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `]` in an array")),
            }
        }
        self.depth -= 1;
        Ok(Value::Arr(items))
    }

    fn literal(&mut self, word: &str, v: Value<'a>) -> Result<Value<'a>, LockError> {
        let end = self.i + word.len();
        if self.s.as_bytes().get(self.i..end) == Some(word.as_bytes()) {
            self.i = end;
            Ok(v)
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value<'a>, LockError> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("a digit after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(Value::Num)
    }

    fn hex4(&mut self) -> Result<u32, LockError> {
        let digits = self
            .s
            .get(self.i..self.i + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match digits {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.err("expected four hex digits after `\\u`")),
        }
    }

    /// A string at the opening quote; borrowed unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, LockError> {
        let b = self.s.as_bytes();
        self.i += 1;
        let start = self.i;
        loop {
            match b.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    let s = self.s.get(start..self.i).unwrap_or("");
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(&c) if c < 0x20 => return Err(self.err("a control character in a string")),
                Some(_) => self.i += 1,
            }
        }
        let mut out = String::from(self.s.get(start..self.i).unwrap_or(""));
        loop {
            match b.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let escape = b.get(self.i + 1).copied();
                    self.i += 2;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.i..self.i + 2) == Some("\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{fffd}'));
                        }
                        _ => return Err(self.err("an invalid escape in a string")),
                    }
                }
                Some(&c) if c < 0x20 => return Err(self.err("a control character in a string")),
                Some(_) => {
                    let run = self.i;
                    while b
                        .get(self.i)
                        .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
                    {
                        self.i += 1;
                    }
                    out.push_str(self.s.get(run..self.i).unwrap_or(""));
                }
            }
        }
    }
}
