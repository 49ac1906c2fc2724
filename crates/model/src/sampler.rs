//! Picking the next token from logits: greedy, or temperature with top-k / top-p, and a
//! repetition penalty; seeded so that a request can be replayed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tandem_core::Sampling;

#[derive(Debug)]
pub struct Sampler {
    params: Sampling,
    rng: StdRng,
}

impl Sampler {
    pub fn new(params: Sampling) -> Self {
        let rng = StdRng::seed_from_u64(params.seed);
        Self { params, rng }
    }

    /// Chooses a token. `recent` are the tokens the repetition penalty applies to (prompt and
    /// generated so far); only the last `repeat_last_n` count.
    pub fn sample(&mut self, logits: &mut [f32], recent: &[u32]) -> u32 {
        let p = &self.params;
        if p.repetition_penalty != 1.0 && p.repetition_penalty > 0.0 {
            let from = recent.len().saturating_sub(p.repeat_last_n);
            let mut seen = recent[from..].to_vec();
            seen.sort_unstable();
            seen.dedup();
            for id in seen {
                if let Some(l) = logits.get_mut(id as usize) {
                    *l = if *l > 0.0 { *l / p.repetition_penalty } else { *l * p.repetition_penalty };
                }
            }
        }
        if p.is_greedy() {
            return crate::qwen2::argmax(logits);
        }
        let mut candidates: Vec<(u32, f32)> = logits
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_finite())
            .map(|(i, &l)| (i as u32, l / p.temperature))
            .collect();
        if candidates.is_empty() {
            return crate::qwen2::argmax(logits);
        }
        let by_logit = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1);
        if p.top_k > 0 && p.top_k < candidates.len() {
            candidates.select_nth_unstable_by(p.top_k - 1, by_logit);
            candidates.truncate(p.top_k);
        }
        candidates.sort_unstable_by(by_logit);
        let max = candidates[0].1;
        let mut probs: Vec<f32> = candidates.iter().map(|(_, l)| (l - max).exp()).collect();
        let total: f32 = probs.iter().sum();
        probs.iter_mut().for_each(|q| *q /= total);
        if p.top_p < 1.0 {
            let mut mass = 0.0;
            let keep = probs
                .iter()
                .position(|q| {
                    mass += q;
                    mass >= p.top_p
                })
                .map_or(probs.len(), |i| i + 1);
            probs.truncate(keep);
        }
        let total: f32 = probs.iter().sum();
        let mut x = self.rng.random::<f32>() * total;
        for (i, q) in probs.iter().enumerate() {
            x -= q;
            if x <= 0.0 {
                return candidates[i].0;
            }
        }
        candidates[probs.len() - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_takes_the_largest_logit() {
        let mut s = Sampler::new(Sampling::greedy());
        assert_eq!(s.sample(&mut [0.1, 3.0, -1.0, 2.9], &[]), 1);
    }

    #[test]
    fn repetition_penalty_can_change_the_greedy_choice() {
        let mut s = Sampler::new(Sampling { repetition_penalty: 2.0, ..Sampling::greedy() });
        assert_eq!(s.sample(&mut [0.1, 3.0, -1.0, 2.0], &[1]), 3);
    }

    #[test]
    fn top_k_one_is_greedy_and_seeds_replay() {
        let mut s = Sampler::new(Sampling { temperature: 1.0, top_k: 1, ..Sampling::chat(7) });
        assert_eq!(s.sample(&mut [0.1, 3.0, -1.0, 2.9], &[]), 1);
        let draw = |seed| {
            let mut s =
                Sampler::new(Sampling { temperature: 1.0, top_k: 0, top_p: 1.0, ..Sampling::chat(seed) });
            (0..20).map(|_| s.sample(&mut [1.0, 1.0, 1.0, 1.0], &[])).collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
    }

    #[test]
    fn top_p_drops_the_unlikely_tail() {
        let mut s = Sampler::new(Sampling { temperature: 1.0, top_p: 0.5, top_k: 0, ..Sampling::chat(1) });
        for _ in 0..50 {
            assert_eq!(s.sample(&mut [10.0, 0.0, 0.0, 0.0], &[]), 0);
        }
    }
}
