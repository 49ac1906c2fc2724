//! The prompt cache's stored slots: the keys and values of recent prompts that the working cache
//! moved away from, copied out within a memory budget, so that coming back to a place
//! (another function, another file, and back) reuses its prompt instead of evaluating it again.
//!
//! The runtime keeps one working [`KvCache`]. Before it discards a long run of tokens, it stores
//! them here ([`Slots::store`]); before it evaluates a prompt, it asks which stored slot shares the
//! longest token prefix with it ([`Slots::best`]) and, when that beats the working cache, copies
//! the slot back ([`Slots::restore`]). Least recently used slots are evicted first.

use crate::qwen2::KvCache;
use candle_core::Tensor;

/// Keys and values of one stored prompt.
#[derive(Debug)]
struct Slot {
    tokens: Vec<u32>,
    /// Per layer, `(n_kv_head, tokens, head_dim)`, as the working cache holds them (f32): a
    /// restored prompt is exactly the prompt evaluated afresh. (Stored in f16, restored slots
    /// gave other answers than fresh prompts; rounding the working cache to f16 as well made them
    /// agree, but changed 10 of the development set's 40 answers, 5 for the worse.)
    k: Vec<Tensor>,
    v: Vec<Tensor>,
    bytes: usize,
    /// When it was last stored or restored (a counter, not a clock).
    used: u64,
}

/// Stored prompts within a byte budget.
#[derive(Debug)]
pub struct Slots {
    budget: usize,
    slots: Vec<Slot>,
    tick: u64,
}

/// Length of the common prefix of two token runs.
pub fn common_prefix(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl Slots {
    /// A store holding at most `budget` bytes of keys and values; 0 stores nothing.
    pub fn new(budget: usize) -> Self {
        Self { budget, slots: Vec::new(), tick: 0 }
    }

    /// Slots held.
    pub fn count(&self) -> usize {
        self.slots.len()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.slots.iter().map(|s| s.bytes).sum()
    }

    /// The slot sharing the longest prefix with `tokens`, and that length.
    pub fn best(&self, tokens: &[u32]) -> Option<(usize, usize)> {
        self.slots
            .iter()
            .enumerate()
            .map(|(i, s)| (i, common_prefix(&s.tokens, tokens)))
            .max_by_key(|&(i, n)| (n, self.slots[i].used))
            .filter(|&(_, n)| n > 0)
    }

    /// Stores the first `tokens.len()` positions of `cache` (which hold `tokens`). A stored slot
    /// whose tokens are a prefix of these is replaced; the least recently used ones are evicted
    /// to stay within the budget. A prompt larger than the whole budget is not stored.
    pub fn store(&mut self, cache: &KvCache, tokens: &[u32]) -> candle_core::Result<()> {
        let bytes = tokens.len() * cache.bytes_per_position();
        if tokens.is_empty() || bytes > self.budget {
            return Ok(());
        }
        self.slots.retain(|s| !tokens.starts_with(&s.tokens));
        if self.slots.iter().any(|s| s.tokens.starts_with(tokens)) {
            // Already held, with more after it.
            return Ok(());
        }
        while self.bytes() + bytes > self.budget {
            let Some(oldest) = self.slots.iter().enumerate().min_by_key(|(_, s)| s.used).map(|(i, _)| i)
            else {
                break;
            };
            self.slots.swap_remove(oldest);
        }
        let (k, v) = cache.copy_prefix(tokens.len())?;
        self.tick += 1;
        self.slots.push(Slot { tokens: tokens.to_vec(), k, v, bytes, used: self.tick });
        Ok(())
    }

    /// Copies the first `n` positions of slot `i` into `cache` (which then holds just them) and
    /// returns their tokens.
    pub fn restore(&mut self, i: usize, n: usize, cache: &mut KvCache) -> candle_core::Result<&[u32]> {
        self.tick += 1;
        let slot = &mut self.slots[i];
        slot.used = self.tick;
        let n = n.min(slot.tokens.len());
        cache.load_prefix(&slot.k, &slot.v, n)?;
        Ok(&slot.tokens[..n])
    }

    pub fn clear(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_counts_equal_leading_tokens() {
        assert_eq!(common_prefix(&[1, 2, 3], &[1, 2, 4]), 2);
        assert_eq!(common_prefix(&[1, 2], &[1, 2, 3]), 2);
        assert_eq!(common_prefix(&[], &[1]), 0);
    }
}
