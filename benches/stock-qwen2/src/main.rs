//! Baseline for `tandem bench`: candle-transformers' stock `quantized_qwen2`, timed on the same
//! workload (prompt evaluation at 128 and 512 tokens of a fixed text, generation at 0 and 512
//! tokens of context), so tandem's own runtime can be reported as a ratio measured in one run.
//!
//! Usage: `cargo run --release -p tandem-stock-bench -- MODEL.gguf [TEXT_FILE]` prints JSON.

fn main() {}
