//! The number grammar of RFC 8259 as a state per byte, for the tokenizer:
//! `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpDigits,
}

impl Num {
    pub(super) fn complete(self) -> bool {
        matches!(self, Num::Zero | Num::Int | Num::Frac | Num::ExpDigits)
    }

    /// The state after `b`, or None when `b` is not part of the number.
    pub(super) fn step(self, b: u8) -> Option<Num> {
        let digit = b.is_ascii_digit();
        match self {
            Num::Minus if b == b'0' => Some(Num::Zero),
            Num::Minus if digit => Some(Num::Int),
            Num::Zero | Num::Int if b == b'.' => Some(Num::Dot),
            Num::Zero | Num::Int | Num::Frac if b == b'e' || b == b'E' => Some(Num::Exp),
            Num::Int if digit => Some(Num::Int),
            Num::Dot | Num::Frac if digit => Some(Num::Frac),
            Num::Exp if b == b'+' || b == b'-' => Some(Num::ExpSign),
            Num::Exp | Num::ExpSign | Num::ExpDigits if digit => Some(Num::ExpDigits),
            _ => None,
        }
    }
}
