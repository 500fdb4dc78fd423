//! Incremental JSON tokenizer (RFC 8259, strict): bytes in, structural
//! tokens out. It validates everything a full parser would (string escapes,
//! surrogate pairs, UTF-8, control characters, the number grammar, literals,
//! nesting and trailing data) but keeps no token text: it reports where
//! values start and end, and hands out decoded key bytes only when asked.

use super::number::Num;
use super::{scan, ErrorKind, JsonError, MAX_DEPTH};
use crate::engine::encode::hex_value;

/// Kind of an opened container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Object,
    Array,
}

/// What the tokenizer found. Positions follow the `pos` that
/// [`Tokenizer::next`] leaves behind: a value announced by `Open` or
/// `ScalarStart` began at `pos - 1`; one closed by `Close` or `ScalarEnd`
/// ended just before `pos`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Open(Container),
    Close,
    /// The opening quote of an object member's key.
    KeyStart,
    /// Up to 4 decoded bytes of the key (only while `decode_key` is set).
    KeyBytes([u8; 4], u8),
    /// The closing quote of the key.
    KeyEnd,
    /// First byte of a string, number, `true`, `false` or `null` value.
    ScalarStart,
    /// End of that value; a number ends at the byte after it, which is not
    /// consumed.
    ScalarEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// A value must come: document start, after `:`, after `,` in an array.
    Value,
    /// After `[`.
    ValueOrClose,
    /// After `{`.
    KeyOrClose,
    /// After `,` in an object.
    Key,
    Colon,
    /// A value ended inside a container: `,` or the closing bracket.
    AfterValue,
    /// The top-level value ended: only whitespace may follow.
    Done,
    Str,
    Esc,
    /// `\u` escape with this many hex digits read (into `hex`).
    Hex(u8),
    /// Inside a multi-byte UTF-8 sequence: continuation bytes still due and
    /// the range the next one must fall in (excludes overlongs, surrogates
    /// and code points past U+10FFFF).
    Utf8 {
        due: u8,
        lo: u8,
        hi: u8,
    },
    Num(Num),
    /// Inside `true`/`false`/`null`: the literal and how much of it matched.
    Lit(u8, u8),
}

const LITERALS: [&[u8]; 3] = [b"true", b"false", b"null"];

/// See the module documentation. The state is a few words: open containers
/// are bits of `kinds` (1 = object), `depth` of them.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    state: State,
    kinds: u64,
    depth: u8,
    /// The string being read is an object key.
    in_key: bool,
    /// Report the decoded bytes of the current key (set by the matcher
    /// after `KeyStart`, cleared at `KeyEnd`).
    pub decode_key: bool,
    hex: u16,
    /// A `\u` high surrogate waiting for its low half.
    high: u16,
    /// Bytes consumed before the current `next` call: error offsets.
    offset: u64,
}

const _: () = assert!(MAX_DEPTH <= 64);

impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

/// UTF-8 of a code point below U+10000 (surrogates excluded by the caller).
fn utf8_bmp(c: u16) -> ([u8; 4], u8) {
    let c = u32::from(c);
    if c < 0x80 {
        ([c as u8, 0, 0, 0], 1)
    } else if c < 0x800 {
        ([0xC0 | (c >> 6) as u8, 0x80 | (c & 0x3F) as u8, 0, 0], 2)
    } else {
        (
            [
                0xE0 | (c >> 12) as u8,
                0x80 | ((c >> 6) & 0x3F) as u8,
                0x80 | (c & 0x3F) as u8,
                0,
            ],
            3,
        )
    }
}

impl Tokenizer {
    pub const fn new() -> Self {
        Tokenizer {
            state: State::Value,
            kinds: 0,
            depth: 0,
            in_key: false,
            decode_key: false,
            hex: 0,
            high: 0,
            offset: 0,
        }
    }

    /// Number of containers open around the current position.
    pub fn depth(&self) -> usize {
        usize::from(self.depth)
    }

    /// The innermost open container, if any.
    pub fn top(&self) -> Option<Container> {
        self.kind_at(usize::from(self.depth.checked_sub(1)?))
    }

    /// The container open at nesting level `level` (0 = outermost).
    pub fn kind_at(&self, level: usize) -> Option<Container> {
        if level >= usize::from(self.depth) {
            return None;
        }
        Some(if (self.kinds >> level) & 1 == 1 {
            Container::Object
        } else {
            Container::Array
        })
    }

    /// The top-level value is complete (only whitespace may follow).
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn after_value(&self) -> State {
        if self.depth == 0 {
            State::Done
        } else {
            State::AfterValue
        }
    }

    fn open(&mut self, kind: Container) -> Result<Token, ErrorKind> {
        if usize::from(self.depth) >= MAX_DEPTH {
            return Err(ErrorKind::TooDeep);
        }
        let bit = 1u64 << self.depth;
        if kind == Container::Object {
            self.kinds |= bit;
            self.state = State::KeyOrClose;
        } else {
            self.kinds &= !bit;
            self.state = State::ValueOrClose;
        }
        self.depth = self.depth.wrapping_add(1);
        Ok(Token::Open(kind))
    }

    fn close(&mut self, b: u8) -> Result<Token, ErrorKind> {
        let want = match self.top() {
            Some(Container::Object) => b'}',
            Some(Container::Array) => b']',
            None => return Err(ErrorKind::Syntax),
        };
        if b != want {
            return Err(ErrorKind::Syntax);
        }
        self.depth = self.depth.wrapping_sub(1);
        self.state = self.after_value();
        Ok(Token::Close)
    }

    fn start_value(&mut self, b: u8) -> Result<Token, ErrorKind> {
        self.state = match b {
            b'{' => return self.open(Container::Object),
            b'[' => return self.open(Container::Array),
            b'"' => {
                self.in_key = false;
                State::Str
            }
            b'-' => State::Num(Num::Minus),
            b'0' => State::Num(Num::Zero),
            b'1'..=b'9' => State::Num(Num::Int),
            b't' => State::Lit(0, 1),
            b'f' => State::Lit(1, 1),
            b'n' => State::Lit(2, 1),
            _ => return Err(ErrorKind::Syntax),
        };
        Ok(Token::ScalarStart)
    }

    /// The closing quote of a string.
    fn end_string(&mut self) -> Token {
        if self.in_key {
            self.state = State::Colon;
            Token::KeyEnd
        } else {
            self.state = self.after_value();
            Token::ScalarEnd
        }
    }

    fn key_bytes(&self, bytes: [u8; 4], n: u8) -> Option<Token> {
        (self.in_key && self.decode_key).then_some(Token::KeyBytes(bytes, n))
    }

    /// One byte; `Ok(None)` when it produced no token. Numbers end on the
    /// byte after them: `*again` asks for that byte to be fed once more.
    fn byte(&mut self, b: u8, again: &mut bool) -> Result<Option<Token>, ErrorKind> {
        match self.state {
            State::Value => self.start_value(b).map(Some),
            State::ValueOrClose => {
                if b == b']' {
                    self.close(b).map(Some)
                } else {
                    self.start_value(b).map(Some)
                }
            }
            State::KeyOrClose | State::Key => match b {
                b'"' => {
                    self.in_key = true;
                    self.state = State::Str;
                    Ok(Some(Token::KeyStart))
                }
                b'}' if self.state == State::KeyOrClose => self.close(b).map(Some),
                _ => Err(ErrorKind::Syntax),
            },
            State::Colon => {
                if b != b':' {
                    return Err(ErrorKind::Syntax);
                }
                self.state = State::Value;
                Ok(None)
            }
            State::AfterValue => match b {
                b',' => {
                    self.state = if self.top() == Some(Container::Object) {
                        State::Key
                    } else {
                        State::Value
                    };
                    Ok(None)
                }
                _ => self.close(b).map(Some),
            },
            State::Done => Err(ErrorKind::Syntax),
            State::Str => {
                if self.high != 0 && b != b'\\' {
                    return Err(ErrorKind::Syntax);
                }
                match b {
                    b'"' => Ok(Some(self.end_string())),
                    b'\\' => {
                        self.state = State::Esc;
                        Ok(None)
                    }
                    0x00..=0x1F => Err(ErrorKind::Syntax),
                    0x20..=0x7F => Ok(self.key_bytes([b, 0, 0, 0], 1)),
                    0xC2..=0xDF => self.utf8(b, 1, 0x80, 0xBF),
                    0xE0 => self.utf8(b, 2, 0xA0, 0xBF),
                    0xED => self.utf8(b, 2, 0x80, 0x9F),
                    0xE1..=0xEF => self.utf8(b, 2, 0x80, 0xBF),
                    0xF0 => self.utf8(b, 3, 0x90, 0xBF),
                    0xF1..=0xF3 => self.utf8(b, 3, 0x80, 0xBF),
                    0xF4 => self.utf8(b, 3, 0x80, 0x8F),
                    _ => Err(ErrorKind::Syntax),
                }
            }
            State::Utf8 { due, lo, hi } => {
                if b < lo || b > hi {
                    return Err(ErrorKind::Syntax);
                }
                let due = due.wrapping_sub(1);
                self.state = if due == 0 {
                    State::Str
                } else {
                    State::Utf8 {
                        due,
                        lo: 0x80,
                        hi: 0xBF,
                    }
                };
                Ok(self.key_bytes([b, 0, 0, 0], 1))
            }
            State::Esc => {
                if self.high != 0 && b != b'u' {
                    return Err(ErrorKind::Syntax);
                }
                let c = match b {
                    b'"' | b'\\' | b'/' => b,
                    b'b' => 0x08,
                    b'f' => 0x0C,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'u' => {
                        self.hex = 0;
                        self.state = State::Hex(0);
                        return Ok(None);
                    }
                    _ => return Err(ErrorKind::Syntax),
                };
                self.state = State::Str;
                Ok(self.key_bytes([c, 0, 0, 0], 1))
            }
            State::Hex(n) => {
                let v = hex_value(b).ok_or(ErrorKind::Syntax)?;
                self.hex = (self.hex << 4) | u16::from(v);
                if n < 3 {
                    self.state = State::Hex(n.wrapping_add(1));
                    return Ok(None);
                }
                self.state = State::Str;
                self.code_unit(self.hex)
            }
            State::Num(s) => match s.step(b) {
                Some(next) => {
                    self.state = State::Num(next);
                    Ok(None)
                }
                None if s.complete() => {
                    *again = true;
                    self.state = self.after_value();
                    Ok(Some(Token::ScalarEnd))
                }
                None => Err(ErrorKind::Syntax),
            },
            State::Lit(which, at) => {
                let lit = LITERALS.get(usize::from(which)).copied().unwrap_or(b"");
                if lit.get(usize::from(at)) != Some(&b) {
                    return Err(ErrorKind::Syntax);
                }
                let at = at.wrapping_add(1);
                if usize::from(at) == lit.len() {
                    self.state = self.after_value();
                    Ok(Some(Token::ScalarEnd))
                } else {
                    self.state = State::Lit(which, at);
                    Ok(None)
                }
            }
        }
    }

    fn utf8(&mut self, b: u8, due: u8, lo: u8, hi: u8) -> Result<Option<Token>, ErrorKind> {
        self.state = State::Utf8 { due, lo, hi };
        Ok(self.key_bytes([b, 0, 0, 0], 1))
    }

    /// A `\uXXXX` escape: surrogates must come in high-low pairs.
    fn code_unit(&mut self, u: u16) -> Result<Option<Token>, ErrorKind> {
        let high = core::mem::take(&mut self.high);
        let is_low = (0xDC00..=0xDFFF).contains(&u);
        if high != 0 {
            if !is_low {
                return Err(ErrorKind::Syntax);
            }
            return Ok(self.key_bytes(super::pairs::utf8_of_pair(high, u), 4));
        }
        if is_low {
            return Err(ErrorKind::Syntax);
        }
        if (0xD800..=0xDBFF).contains(&u) {
            self.high = u;
            return Ok(None);
        }
        let (bytes, n) = utf8_bmp(u);
        Ok(self.key_bytes(bytes, n))
    }

    /// Reads `input[*pos..]` until a token is found (returned, with `*pos`
    /// past the bytes it used) or the input is used up (`Ok(None)`).
    pub fn next(&mut self, input: &[u8], pos: &mut usize) -> Result<Option<Token>, JsonError> {
        let start = *pos;
        let res = self.run(input, pos, true);
        self.offset = self.offset.saturating_add(pos.saturating_sub(start) as u64);
        res.map_err(|kind| JsonError {
            kind,
            offset: self.offset,
        })
    }

    /// Reads all of `input` for its validity alone: the tokens pass
    /// unreported, which spares a return per token when nobody selects.
    pub fn skim(&mut self, input: &[u8]) -> Result<(), JsonError> {
        let mut pos = 0usize;
        let res = self.run(input, &mut pos, false);
        self.offset = self.offset.saturating_add(pos as u64);
        res.map(|_| ()).map_err(|kind| JsonError {
            kind,
            offset: self.offset,
        })
    }

    /// Reads from `input[*pos..]`; with `report`, stops after the first
    /// token and returns it.
    fn run(
        &mut self,
        input: &[u8],
        pos: &mut usize,
        report: bool,
    ) -> Result<Option<Token>, ErrorKind> {
        let mut i = *pos;
        loop {
            // Fast paths: the bulk of a document is plain string text
            // nobody asked to see, digits and whitespace between tokens,
            // taken as runs without a state change; the byte that ends a
            // run is read below in the same round.
            let rest = input.get(i..).unwrap_or(&[]);
            let run = match self.state {
                State::Str if self.high == 0 && !(self.in_key && self.decode_key) => {
                    scan::plain_text(rest)
                }
                State::Num(Num::Int | Num::Frac | Num::ExpDigits) => scan::digits(rest),
                State::Value
                | State::ValueOrClose
                | State::KeyOrClose
                | State::Key
                | State::Colon
                | State::AfterValue
                | State::Done => scan::whitespace(rest),
                _ => 0,
            };
            i = i.wrapping_add(run);
            let Some(&b) = input.get(i) else {
                break;
            };
            let mut again = false;
            let res = self.byte(b, &mut again);
            if res.is_err() {
                *pos = i;
                return res;
            }
            if !again {
                i = i.wrapping_add(1);
            }
            // After a number `again` left `i` on the byte that ended it: it
            // belongs to whatever follows and is read on the next call.
            if let (true, Ok(Some(t))) = (report, res) {
                *pos = i;
                return Ok(Some(t));
            }
        }
        *pos = i;
        Ok(None)
    }

    /// The input ended: ends a number still open, then checks that the
    /// document is complete. Call until it returns `Ok(None)`.
    pub fn finish(&mut self) -> Result<Option<Token>, JsonError> {
        match self.state {
            State::Num(s) if s.complete() => {
                self.state = self.after_value();
                Ok(Some(Token::ScalarEnd))
            }
            State::Done => Ok(None),
            _ => Err(JsonError {
                kind: ErrorKind::Truncated,
                offset: self.offset,
            }),
        }
    }
}
