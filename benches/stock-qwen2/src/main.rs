//! Baseline for `tandem bench`: candle-transformers' stock `quantized_qwen2`, timed on the same
//! workload (the same input text, prompt evaluation at 128 and 512 tokens, generation at 0 and
//! 512 tokens of context, 32 generated tokens), so that tandem's own runtime can be reported as
//! a ratio measured in one run.
//!
//! Usage: `cargo run --release -p tandem-stock-bench -- MODEL.gguf TEXT_FILE` prints JSON.

use anyhow::{Context, Result};
use candle_core::quantized::gguf_file;
use candle_core::quantized::tokenizer::TokenizerFromGguf;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen2::ModelWeights;
use std::time::Instant;

const GEN_TOKENS: usize = 32;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let model = args.next().context("usage: tandem-stock-bench MODEL.gguf TEXT_FILE")?;
    let text =
        std::fs::read_to_string(args.next().context("usage: tandem-stock-bench MODEL.gguf TEXT_FILE")?)?;
    let start = Instant::now();
    let mut file = std::fs::File::open(&model)?;
    let ct = gguf_file::Content::read(&mut file)?;
    let tokenizer = tokenizers::Tokenizer::from_gguf(&ct)?;
    let mut weights = ModelWeights::from_gguf(ct, &mut file, &Device::Cpu)?;
    let load_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut tokens =
        tokenizer.encode_fast(text.as_str(), false).map_err(anyhow::Error::msg)?.get_ids().to_vec();
    while tokens.len() < 513 {
        tokens.extend_from_within(..tokens.len().min(513 - tokens.len()));
    }
    let run = |w: &mut ModelWeights, toks: &[u32], pos: usize| -> Result<Tensor> {
        Ok(w.forward(&Tensor::new(toks, &Device::Cpu)?.unsqueeze(0)?, pos)?)
    };
    let t = Instant::now();
    run(&mut weights, &tokens[..8], 0)?;
    let first_pass_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut prompt = Vec::new();
    for n in [128usize, 512] {
        weights.clear_kv_cache();
        let t = Instant::now();
        run(&mut weights, &tokens[..n], 0)?;
        prompt.push(serde_json::json!({"tokens": n, "tokens_per_s": n as f64 / t.elapsed().as_secs_f64()}));
    }
    let mut generation = Vec::new();
    for ctx in [0usize, 512] {
        weights.clear_kv_cache();
        let mut logits = run(&mut weights, &tokens[..ctx + 1], 0)?;
        let t = Instant::now();
        for i in 0..GEN_TOKENS {
            let next = logits.squeeze(0)?.argmax(0)?.to_scalar::<u32>()?;
            logits = run(&mut weights, &[next], ctx + 1 + i)?;
        }
        generation.push(serde_json::json!({"context": ctx, "tokens_per_s": GEN_TOKENS as f64 / t.elapsed().as_secs_f64()}));
    }
    let status = std::fs::read_to_string("/proc/self/status")?;
    let peak_kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0.0);
    let out = serde_json::json!({
        "model": "candle-transformers quantized_qwen2 (stock)",
        "threads": candle_core::utils::get_num_threads(),
        "load_ms": load_ms,
        "first_pass_ms": first_pass_ms,
        "prompt_tokens_per_s": prompt,
        "generation_tokens_per_s": generation,
        "peak_rss_mib": peak_kib / 1024.0,
    });
    println!("{out}");
    Ok(())
}
