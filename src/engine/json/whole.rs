//! The strict check of a whole document (RFC 8259) that `json()` runs
//! beside the firmware's lenient parser: the selectors' tokenizer over
//! every byte, in pieces split anywhere, then the end of the input.

use super::token::Tokenizer;
use super::JsonError;

#[derive(Debug, Clone)]
pub struct WholeCheck(Tokenizer);

impl Default for WholeCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl WholeCheck {
    pub const fn new() -> Self {
        WholeCheck(Tokenizer::new())
    }

    /// The next piece of the document.
    pub fn feed(&mut self, input: &[u8]) -> Result<(), JsonError> {
        self.0.skim(input)
    }

    /// The document ended: complete, or refused.
    pub fn end(&mut self) -> Result<(), JsonError> {
        while self.0.finish()?.is_some() {}
        Ok(())
    }
}
