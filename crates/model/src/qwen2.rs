//! The qwen2 architecture: configuration from GGUF metadata, weights, and the forward pass.
//!
//! Differences from candle-transformers' `quantized_qwen2`, each for speed or for KV reuse:
//! the token embedding stays quantized (rows are dequantized on lookup), the KV cache is
//! preallocated and can be truncated ([`KvCache`]), grouped-query attention shares each
//! key/value head across its query heads without copying them, and logits are computed only
//! for the last position.

use crate::gemm::Q8Matrix;
use crate::linear::Linear;
use candle_core::quantized::{GgmlDType, QMatMul, QTensor, ggml_file, gguf_file};
use candle_core::{DType, Device, Tensor};

/// Hyper-parameters of a qwen2 model, read from GGUF metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Qwen2Config {
    pub n_layer: usize,
    pub hidden: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub rope_base: f32,
    pub rms_eps: f32,
    /// The context length the model was trained for.
    pub context_length: usize,
    pub vocab: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("GGUF metadata `{0}` is missing or has the wrong type")]
    Metadata(String),
    #[error("GGUF tensor `{0}` is missing")]
    MissingTensor(String),
    #[error("GGUF tensor `{name}` lies outside the file")]
    TruncatedTensor { name: String },
    #[error("unsupported model shape: {0}")]
    Shape(String),
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

impl Qwen2Config {
    pub fn from_gguf(ct: &gguf_file::Content) -> Result<Self, WeightsError> {
        let get = |key: &str| {
            ct.metadata
                .get(&format!("qwen2.{key}"))
                .ok_or_else(|| WeightsError::Metadata(format!("qwen2.{key}")))
        };
        let int = |key: &str| -> Result<usize, WeightsError> {
            get(key)?.to_u32().map(|v| v as usize).map_err(|_| WeightsError::Metadata(format!("qwen2.{key}")))
        };
        let float =
            |key: &str| get(key)?.to_f32().map_err(|_| WeightsError::Metadata(format!("qwen2.{key}")));
        let hidden = int("embedding_length")?;
        let n_head = int("attention.head_count")?;
        let n_kv_head = int("attention.head_count_kv")?;
        if n_head == 0 || n_kv_head == 0 || hidden % n_head != 0 || n_head % n_kv_head != 0 {
            return Err(WeightsError::Shape(format!(
                "{hidden} hidden, {n_head} heads, {n_kv_head} key/value heads"
            )));
        }
        let vocab = ct
            .tensor_infos
            .get("token_embd.weight")
            .map(|t| t.shape.dims()[0])
            .ok_or_else(|| WeightsError::MissingTensor("token_embd.weight".into()))?;
        Ok(Self {
            n_layer: int("block_count")?,
            hidden,
            n_head,
            n_kv_head,
            head_dim: hidden / n_head,
            rope_base: float("rope.freq_base").unwrap_or(10_000.0),
            rms_eps: float("attention.layer_norm_rms_epsilon")?,
            context_length: int("context_length")?,
            vocab,
        })
    }
}

#[derive(Debug)]
struct Layer {
    attn_norm: Tensor,
    wq: Linear,
    wk: Linear,
    wv: Linear,
    bq: Tensor,
    bk: Tensor,
    bv: Tensor,
    wo: Linear,
    ffn_norm: Tensor,
    gate: Linear,
    up: Linear,
    down: Linear,
}

/// The weights of a qwen2 model.
#[derive(Debug)]
pub struct Qwen2 {
    cfg: Qwen2Config,
    embed: QTensor,
    layers: Vec<Layer>,
    norm: Tensor,
    output: Linear,
}

/// Reads tensors out of a memory-mapped GGUF file. Each tensor is copied out (candle's
/// quantized storage owns its blocks) and its pages are then handed back, so that the file is
/// never resident twice: memory peaks at the weights plus one tensor, not at twice the file.
struct TensorSource<'a> {
    ct: &'a gguf_file::Content,
    map: &'a memmap2::Mmap,
    kernels: Kernels,
}

/// Which matrix products the model uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernels {
    /// Q8_0 and Q5_0 matrices through tandem's int8 kernel (`gemm`), the rest through candle.
    #[default]
    Fast,
    /// Every matrix in the file's own type through candle's `QMatMul`: the straightforward path
    /// the fast one is checked against (tests, `tandem bench --perplexity`).
    Reference,
}

impl TensorSource<'_> {
    /// A tensor's header, its offset in the file, and its bytes.
    fn raw(&self, name: &str) -> Result<(&gguf_file::TensorInfo, usize, &[u8]), WeightsError> {
        let info = self.ct.tensor_infos.get(name).ok_or_else(|| WeightsError::MissingTensor(name.into()))?;
        let elems = info.shape.elem_count();
        let size = elems / info.ggml_dtype.block_size() * info.ggml_dtype.type_size();
        let start = (self.ct.tensor_data_offset as usize).saturating_add(info.offset as usize);
        let data = self
            .map
            .get(start..start.saturating_add(size))
            .ok_or_else(|| WeightsError::TruncatedTensor { name: name.into() })?;
        Ok((info, start, data))
    }

    fn qtensor(&self, name: &str) -> Result<QTensor, WeightsError> {
        let (info, start, data) = self.raw(name)?;
        let q =
            ggml_file::qtensor_from_ggml(info.ggml_dtype, data, info.shape.dims().to_vec(), &Device::Cpu)?;
        self.release(start, data.len());
        Ok(q)
    }

    fn layer(&self, i: usize) -> Result<Layer, WeightsError> {
        let n = |s: &str| format!("blk.{i}.{s}");
        Ok(Layer {
            attn_norm: self.dense(&n("attn_norm.weight"))?,
            wq: self.matmul(&n("attn_q.weight"))?,
            wk: self.matmul(&n("attn_k.weight"))?,
            wv: self.matmul(&n("attn_v.weight"))?,
            bq: self.dense(&n("attn_q.bias"))?,
            bk: self.dense(&n("attn_k.bias"))?,
            bv: self.dense(&n("attn_v.bias"))?,
            wo: self.matmul(&n("attn_output.weight"))?,
            ffn_norm: self.dense(&n("ffn_norm.weight"))?,
            gate: self.matmul(&n("ffn_gate.weight"))?,
            up: self.matmul(&n("ffn_up.weight"))?,
            down: self.matmul(&n("ffn_down.weight"))?,
        })
    }

    /// Drops the mapped pages of a range that was copied out. Failure only costs memory.
    fn release(&self, start: usize, len: usize) {
        #[cfg(unix)]
        // SAFETY: the map is a read-only file mapping and no reference into this range outlives
        // the copy just made; a later read of these pages would fault them in again from the file.
        unsafe {
            let _ = self.map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, len);
        }
    }

    /// A weight matrix for matrix products. Q8_0 ones, and Q5_0 ones re-quantized losslessly to
    /// Q8_0 (see `requant`), use the int8 kernel of `gemm`; the others candle's `QMatMul`.
    fn matmul(&self, name: &str) -> Result<Linear, WeightsError> {
        let (info, start, data) = self.raw(name)?;
        let dims = info.shape.dims();
        let int8 = |q8: &[u8]| -> Result<Linear, WeightsError> {
            let [rows, cols] = dims else {
                return Err(WeightsError::Shape(format!("`{name}` has shape {dims:?}")));
            };
            let m = Q8Matrix::from_q8_0(q8, *rows, *cols)
                .map_err(|e| WeightsError::Shape(format!("`{name}`: {e}")))?;
            Ok(Linear::Int8(m))
        };
        let linear = match info.ggml_dtype {
            GgmlDType::Q5_0 if self.kernels == Kernels::Fast => int8(&crate::requant::q5_0_to_q8_0(data))?,
            GgmlDType::Q8_0 if self.kernels == Kernels::Fast => int8(data)?,
            dtype => {
                let q = ggml_file::qtensor_from_ggml(dtype, data, dims.to_vec(), &Device::Cpu)?;
                Linear::Candle(QMatMul::from_qtensor(q)?)
            }
        };
        self.release(start, data.len());
        Ok(linear)
    }

    fn dense(&self, name: &str) -> Result<Tensor, WeightsError> {
        Ok(self.qtensor(name)?.dequantize(&Device::Cpu)?)
    }
}

impl Qwen2 {
    /// Builds the model from a parsed GGUF header and the file's bytes.
    pub fn load(
        ct: &gguf_file::Content,
        map: &memmap2::Mmap,
        kernels: Kernels,
    ) -> Result<Self, WeightsError> {
        let cfg = Qwen2Config::from_gguf(ct)?;
        let src = TensorSource { ct, map, kernels };
        let embed = src.qtensor("token_embd.weight")?;
        if embed.dtype() == GgmlDType::F32 || cfg.hidden % embed.dtype().block_size() != 0 {
            return Err(WeightsError::Shape("token embedding type".into()));
        }
        let output = match ct.tensor_infos.contains_key("output.weight") {
            true => src.matmul("output.weight")?,
            // Tied embeddings: the output projection is the embedding table.
            false => src.matmul("token_embd.weight")?,
        };
        // Copying and re-quantizing dominates load time; layers are independent, so the compute
        // threads share them out.
        let n_layer = cfg.n_layer;
        let threads = crate::compute_threads().clamp(1, n_layer.max(1));
        let src = &src;
        let mut loaded: Vec<(usize, Result<Layer, WeightsError>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        (t..n_layer).step_by(threads).map(|i| (i, src.layer(i))).collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
        });
        loaded.sort_by_key(|(i, _)| *i);
        if loaded.len() != cfg.n_layer {
            return Err(WeightsError::Shape("a loader thread panicked".into()));
        }
        let layers = loaded.into_iter().map(|(_, l)| l).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { norm: src.dense("output_norm.weight")?, cfg, embed, layers, output })
    }

    pub fn config(&self) -> &Qwen2Config {
        &self.cfg
    }

    /// Evaluates `tokens` at positions `cache.len()..`, appends their keys and values to the
    /// cache, and returns the logits of the last token, shape `(vocab,)`.
    ///
    /// The caller checks that the tokens fit in the cache and are in the vocabulary.
    pub fn forward(&self, tokens: &[u32], cache: &mut KvCache) -> candle_core::Result<Tensor> {
        self.forward_logits(tokens, cache, false)
    }

    /// As [`forward`](Self::forward), with logits for every position, shape `(tokens, vocab)`,
    /// when `all_logits` is set (for perplexity).
    pub fn forward_logits(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        all_logits: bool,
    ) -> candle_core::Result<Tensor> {
        let logits = self.forward_until(tokens, cache, all_logits, &|| false)?;
        logits.ok_or_else(|| candle_core::Error::Msg("a forward pass with no interrupt stopped".into()))
    }

    /// As [`forward_logits`](Self::forward_logits), asking `interrupt` between layers: when it
    /// says stop, the pass ends with `None` and the cache is left as it was (what the pass wrote
    /// past it is never read).
    pub fn forward_until(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        all_logits: bool,
        interrupt: &dyn Fn() -> bool,
    ) -> candle_core::Result<Option<Tensor>> {
        let t = tokens.len();
        let start = cache.len;
        if t == 0 || start + t > cache.capacity {
            candle_core::bail!("{t} tokens at position {start} do not fit a cache of {}", cache.capacity);
        }
        let ids = Tensor::new(tokens, &Device::Cpu)?;
        let mut x = self.embed.embedding(&ids)?;
        let cos = cache.cos.narrow(0, start, t)?;
        let sin = cache.sin.narrow(0, start, t)?;
        let mask = (t > 1).then(|| self.causal_mask(t, start)).transpose()?;
        for (l, layer) in self.layers.iter().enumerate() {
            if interrupt() {
                return Ok(None);
            }
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, self.cfg.rms_eps)?;
            let attn = self.attention(layer, &h, l, cache, &cos, &sin, mask.as_ref())?;
            x = (x + layer.wo.forward(&attn)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, self.cfg.rms_eps)?;
            let act = (layer.gate.forward(&h)?.silu()? * layer.up.forward(&h)?)?;
            x = (x + layer.down.forward(&act)?)?;
        }
        cache.len = start + t;
        let rows = if all_logits { x } else { x.narrow(0, t - 1, 1)? };
        let rows = candle_nn::ops::rms_norm(&rows, &self.norm, self.cfg.rms_eps)?;
        let logits = self.output.forward(&rows)?;
        Ok(Some(if all_logits { logits } else { logits.squeeze(0)? }))
    }

    #[allow(clippy::too_many_arguments)]
    fn attention(
        &self,
        layer: &Layer,
        h: &Tensor,
        l: usize,
        cache: &mut KvCache,
        cos: &Tensor,
        sin: &Tensor,
        mask: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let c = &self.cfg;
        let (t, start) = (h.dim(0)?, cache.len);
        let group = c.n_head / c.n_kv_head;
        let heads = |x: Tensor, n: usize| -> candle_core::Result<Tensor> {
            x.reshape((1, t, n, c.head_dim))?.transpose(1, 2)?.contiguous()
        };
        let q = heads(layer.wq.forward(h)?.broadcast_add(&layer.bq)?, c.n_head)?;
        let k = heads(layer.wk.forward(h)?.broadcast_add(&layer.bk)?, c.n_kv_head)?;
        let v = heads(layer.wv.forward(h)?.broadcast_add(&layer.bv)?, c.n_kv_head)?;
        let q = candle_nn::rotary_emb::rope(&q, cos, sin)?;
        let k = candle_nn::rotary_emb::rope(&k, cos, sin)?;
        cache.k[l].slice_set(&k.squeeze(0)?, 1, start)?;
        cache.v[l].slice_set(&v.squeeze(0)?.contiguous()?, 1, start)?;
        let len = start + t;
        let keys = cache.k[l].narrow(1, 0, len)?;
        let values = cache.v[l].narrow(1, 0, len)?;
        // The query heads that share a key/value head are adjacent, so grouping them is a
        // reshape: (n_kv, group * t, head_dim), row = head_in_group * t + position.
        let q = q.reshape((c.n_kv_head, group * t, c.head_dim))?;
        let scale = 1.0 / (c.head_dim as f64).sqrt();
        let mut scores = (q.matmul(&keys.t()?)? * scale)?;
        if let Some(mask) = mask {
            scores = scores.broadcast_add(mask)?;
        }
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let out = probs.matmul(&values)?; // (n_kv, group * t, head_dim)
        out.reshape((c.n_head, t, c.head_dim))?.transpose(0, 1)?.reshape((t, c.hidden))
    }

    /// Additive mask for `t` new tokens after `start` cached ones, for all query heads of a
    /// group: shape `(group * t, start + t)`.
    fn causal_mask(&self, t: usize, start: usize) -> candle_core::Result<Tensor> {
        let group = self.cfg.n_head / self.cfg.n_kv_head;
        let len = start + t;
        let mut m = vec![0f32; group * t * len];
        for (r, row) in m.chunks_mut(len).enumerate() {
            let pos = start + r % t;
            row[pos + 1..].fill(f32::NEG_INFINITY);
        }
        Tensor::from_vec(m, (group * t, len), &Device::Cpu)
    }
}

/// Keys and values of the tokens evaluated so far, in preallocated buffers, plus the rotary
/// tables for every position the cache can hold.
#[derive(Debug)]
pub struct KvCache {
    /// Per layer: `(n_kv_head, capacity, head_dim)`.
    k: Vec<Tensor>,
    v: Vec<Tensor>,
    len: usize,
    capacity: usize,
    cos: Tensor,
    sin: Tensor,
}

impl KvCache {
    pub fn new(cfg: &Qwen2Config, capacity: usize) -> candle_core::Result<Self> {
        let capacity = capacity.min(cfg.context_length).max(1);
        let shape = (cfg.n_kv_head, capacity, cfg.head_dim);
        let zeros = || Tensor::zeros(shape, DType::F32, &Device::Cpu);
        let k = (0..cfg.n_layer).map(|_| zeros()).collect::<candle_core::Result<_>>()?;
        let v = (0..cfg.n_layer).map(|_| zeros()).collect::<candle_core::Result<_>>()?;
        let half = cfg.head_dim / 2;
        let inv_freq: Vec<f32> =
            (0..half).map(|i| 1.0 / cfg.rope_base.powf(2.0 * i as f32 / cfg.head_dim as f32)).collect();
        let mut cos = Vec::with_capacity(capacity * half);
        let mut sin = Vec::with_capacity(capacity * half);
        for pos in 0..capacity {
            for f in &inv_freq {
                let angle = pos as f32 * f;
                cos.push(angle.cos());
                sin.push(angle.sin());
            }
        }
        let cos = Tensor::from_vec(cos, (capacity, half), &Device::Cpu)?;
        let sin = Tensor::from_vec(sin, (capacity, half), &Device::Cpu)?;
        Ok(Self { k, v, len: 0, capacity, cos, sin })
    }

    /// Number of positions filled.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets everything after the first `len` positions; the next tokens are evaluated from
    /// there. Entries past `len` are overwritten by later writes, never read.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Bytes one position's keys and values take, over all layers.
    pub fn bytes_per_position(&self) -> usize {
        let per_layer = |t: &Tensor| t.dim(0).unwrap_or(0) * t.dim(2).unwrap_or(0);
        self.k.iter().chain(&self.v).map(per_layer).sum::<usize>() * size_of::<f32>()
    }

    /// Copies of the keys and values of the first `len` positions, per layer.
    pub fn copy_prefix(&self, len: usize) -> candle_core::Result<(Vec<Tensor>, Vec<Tensor>)> {
        let len = len.min(self.len);
        let copy = |t: &Tensor| t.narrow(1, 0, len)?.contiguous();
        let k = self.k.iter().map(copy).collect::<candle_core::Result<_>>()?;
        let v = self.v.iter().map(copy).collect::<candle_core::Result<_>>()?;
        Ok((k, v))
    }

    /// Replaces the cache's contents with the first `n` positions of `k` and `v` (as made by
    /// [`copy_prefix`](Self::copy_prefix)).
    pub fn load_prefix(&mut self, k: &[Tensor], v: &[Tensor], n: usize) -> candle_core::Result<()> {
        if k.len() != self.k.len() || v.len() != self.v.len() || n > self.capacity {
            candle_core::bail!("stored keys and values do not fit this cache");
        }
        self.len = 0;
        if n == 0 {
            return Ok(());
        }
        for (dst, src) in self.k.iter_mut().zip(k).chain(self.v.iter_mut().zip(v)) {
            let src = src.narrow(1, 0, n)?.contiguous()?;
            dst.slice_set(&src, 1, 0)?;
        }
        self.len = n;
        Ok(())
    }
}

/// Index of the largest value; the first one on ties.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// Logits as a plain vector.
pub fn to_vec(logits: &Tensor) -> candle_core::Result<Vec<f32>> {
    logits.to_dtype(DType::F32)?.flatten_all()?.to_vec1()
}
