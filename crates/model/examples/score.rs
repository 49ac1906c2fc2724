//! Scratch: gold log-likelihood and greedy output of FIM prompt variants.
use std::io::BufRead;
use tandem_core::{Cancel, FimPrompt, GenerationParams, Manifest, Prompt};
use tandem_model::{LoadOptions, Runtime};

#[derive(serde::Deserialize)]
struct Item {
    id: String,
    variant: String,
    prompt: FimPrompt,
    gold: String,
    max_tokens: usize,
}

fn main() {
    let m = Manifest::parse(include_str!("../../../models/manifest.toml")).unwrap();
    let fmt = m.format(&m.default_model().format).unwrap().clone();
    let path = std::env::args().nth(1).unwrap();
    let mut rt = Runtime::load(std::path::Path::new(&path), fmt, &LoadOptions::default()).unwrap();
    let cancel = Cancel::new();
    for line in std::io::stdin().lock().lines() {
        let item: Item = serde_json::from_str(&line.unwrap()).unwrap();
        let tok = rt.tokenizer().clone();
        let prompt = rt.formatter().clone().render(&tok, &Prompt::Fim(item.prompt)).unwrap();
        let gold = tok.encode(&item.gold).unwrap();
        rt.clear_cache();
        let mut logits = rt.prefill(&prompt, &cancel, None).unwrap().logits.unwrap();
        let mut nll = 0f64;
        let mut first_ok = false;
        for (i, &g) in gold.iter().enumerate() {
            let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f64 = logits.iter().map(|&l| ((l - max) as f64).exp()).sum();
            nll -= (logits[g as usize] - max) as f64 - sum.ln();
            if i == 0 {
                first_ok = logits[g as usize] == max;
            }
            logits = rt.forward(&[g]).unwrap();
        }
        let params = GenerationParams { max_tokens: item.max_tokens, ..GenerationParams::default() };
        let done = rt.generate(&prompt, &params, &cancel, &mut |_| {}).unwrap();
        let out = serde_json::json!({"id": item.id, "variant": item.variant, "nll": nll, "tokens": gold.len(),
            "prompt_tokens": prompt.len(), "first_ok": first_ok, "greedy": done.text});
        println!("{out}");
    }
}
