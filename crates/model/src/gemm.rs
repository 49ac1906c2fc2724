//! Batched int8 matrix products for Q8_0 weights, the bulk of the model's arithmetic.
//!
//! candle computes a quantized matrix product one dot product per (weight row, token) pair,
//! converting each block's f16 scale on the way. For prompt evaluation, where many tokens go
//! through the same weights, that leaves most of the CPU's int8 throughput unused. Here:
//!
//! - At load, a Q8_0 matrix is repacked ([`Q8Matrix`]): rows in panels of 8, and within each
//!   32-value block the 8 rows' values interleaved 4 at a time, so that one 256-bit load holds 4
//!   consecutive values of each of the 8 rows; the 8 rows' f16 scales of a block sit together.
//!   Same integers, same scales, same size as Q8_0: the conversion is lossless.
//! - Activations are quantized once per product to int8 blocks of 32 with an f32 scale
//!   ([`QuantizedRows`]), the way ggml quantizes them for Q8_0 weights.
//! - The AVX2 kernel computes 8 weight rows × 4 tokens at a time (the AVX-VNNI one likewise with
//!   `vpdpbusd`, the AVX-512 VNNI one 16 rows: two panels per register): each weight load serves 4
//!   tokens, and the 8 lanes of a register are the 8 rows, so no horizontal sums are needed.
//!   Products use the usual sign trick (`maddubs(|w|, sign(x, w))`, exact for int8 in
//!   -127..=127), sums are exact in i32 within a block and scaled in f32 per block.
//! - Panels are shared out among candle's compute threads.
//!
//! A scalar path computes the same sums in the same order (bit-identical results); it serves
//! CPUs without AVX2/FMA/F16C and the tests.

/// Values per quantization block (Q8_0's block size).
pub const BLOCK: usize = 32;
/// Weight rows interleaved in one panel: the lanes of an f32 AVX register.
const PANEL: usize = 8;
/// Tokens one AVX2 kernel call computes against a panel.
const TOKENS: usize = 4;
/// Bytes of a ggml Q8_0 block: f16 scale, 32 signed bytes.
const Q8_0_BYTES: usize = 2 + BLOCK;

/// One 32-value block of a panel's 8 rows: for step `s` in 0..8, row `r` in 0..8 and `j` in
/// 0..4, byte `32 s + 4 r + j` is the row's value `4 s + j` of the block.
#[repr(C, align(32))]
#[derive(Clone, Copy)]
struct PanelBlock([i8; PANEL * BLOCK]);

/// A Q8_0 weight matrix (`rows` outputs × `cols` inputs) repacked for [`Q8Matrix::matmul`].
pub struct Q8Matrix {
    rows: usize,
    cols: usize,
    /// `[panel][block]`; rows past `rows` in the last panel are zero.
    qs: Vec<PanelBlock>,
    /// `[panel][block]`: f16 bits of the 8 rows' scales (0 for padding rows).
    scales: Vec<[u16; PANEL]>,
    /// Whether every value is in -16..=16 (as for weights re-quantized from Q5_0); then the
    /// AVX2 kernel sums a whole block in i16 before widening (see `avx2::tile`).
    narrow: bool,
}

/// The largest weight magnitude for which [`Q8Matrix::narrow`] holds: 8 steps of 2 products of
/// at most `16 · 127` sum to at most 32512, within i16.
const NARROW_MAX: u8 = 16;

impl std::fmt::Debug for Q8Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Q8Matrix").field("rows", &self.rows).field("cols", &self.cols).finish_non_exhaustive()
    }
}

/// Activation rows quantized to int8 blocks of [`BLOCK`] values, each with an f32 scale.
#[derive(Debug, Clone)]
pub struct QuantizedRows {
    m: usize,
    k: usize,
    /// `m × k` values in -127..=127.
    qs: Vec<i8>,
    /// `m × k / BLOCK` scales.
    d: Vec<f32>,
    /// For the AVX-VNNI kernel: `qs` plus 128, as unsigned bytes (1..=255), whose products with
    /// the weights it corrects by 128 times each block's weight sum.
    shifted: Vec<u8>,
}

/// Which implementation computes; tests pin one, the model uses [`Kernel::detect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX2 with AVX-VNNI's `vpdpbusd`: one instruction per 4 products and their sum where AVX2
    /// takes two or three. Same integer sums, so the same results.
    #[cfg(target_arch = "x86_64")]
    AvxVnni,
    /// AVX-512 VNNI: two panels (16 rows) per register, the same sums as [`Kernel::AvxVnni`]
    /// (which computes a last odd panel).
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
            && is_x86_feature_detected!("f16c")
        {
            for kernel in [Kernel::Avx512Vnni, Kernel::AvxVnni, Kernel::Avx2] {
                if kernel.supported() {
                    return kernel;
                }
            }
        }
        Kernel::Scalar
    }

    /// Whether this CPU runs `self`.
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        let avx2 = || {
            is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                && is_x86_feature_detected!("f16c")
        };
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => avx2(),
            #[cfg(target_arch = "x86_64")]
            Kernel::AvxVnni => avx2() && is_x86_feature_detected!("avxvnni"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512Vnni => {
                Kernel::AvxVnni.supported()
                    && is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512vnni")
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Q8Error {
    #[error("a Q8_0 matrix of {rows}×{cols} needs {expected} bytes, got {got}")]
    Size { rows: usize, cols: usize, expected: usize, got: usize },
    #[error("{0} columns is not a multiple of the block size 32")]
    Columns(usize),
}

impl Q8Matrix {
    /// Repacks the raw bytes of a ggml Q8_0 tensor of `rows` rows of `cols` values.
    pub fn from_q8_0(data: &[u8], rows: usize, cols: usize) -> Result<Self, Q8Error> {
        if !cols.is_multiple_of(BLOCK) || cols == 0 {
            return Err(Q8Error::Columns(cols));
        }
        let nb = cols / BLOCK;
        let expected = rows * nb * Q8_0_BYTES;
        if data.len() != expected {
            return Err(Q8Error::Size { rows, cols, expected, got: data.len() });
        }
        let panels = rows.div_ceil(PANEL);
        let mut qs = vec![PanelBlock([0; PANEL * BLOCK]); panels * nb];
        let mut scales = vec![[0u16; PANEL]; panels * nb];
        let mut narrow = true;
        for (row, src) in data.chunks_exact(nb * Q8_0_BYTES).enumerate() {
            let (p, r) = (row / PANEL, row % PANEL);
            for (b, blk) in src.chunks_exact(Q8_0_BYTES).enumerate() {
                scales[p * nb + b][r] = u16::from_le_bytes([blk[0], blk[1]]);
                let dst = &mut qs[p * nb + b].0;
                for (s, four) in blk[2..].chunks_exact(4).enumerate() {
                    let four: [u8; 4] = four.try_into().expect("4 bytes");
                    let four = four.map(|v| v as i8);
                    narrow &= four.iter().all(|v| v.unsigned_abs() <= NARROW_MAX);
                    dst[s * 32 + r * 4..s * 32 + r * 4 + 4].copy_from_slice(&four);
                }
            }
        }
        Ok(Self { rows, cols, qs, scales, narrow })
    }

    /// Output features.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Input features.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The weights as f32, row-major (for tests and debugging).
    pub fn dequantize(&self) -> Vec<f32> {
        let nb = self.cols / BLOCK;
        let mut out = vec![0f32; self.rows * self.cols];
        for (row, dst) in out.chunks_exact_mut(self.cols).enumerate() {
            let (p, r) = (row / PANEL, row % PANEL);
            for b in 0..nb {
                let d = f16_to_f32(self.scales[p * nb + b][r]);
                let blk = &self.qs[p * nb + b].0;
                for i in 0..BLOCK {
                    dst[b * BLOCK + i] = d * blk[(i / 4) * 32 + r * 4 + i % 4] as f32;
                }
            }
        }
        out
    }

    /// `out[t][r] = Σ_c x[t][c] · w[r][c]` for the `m` quantized rows of `x`: `out` is
    /// `m × rows`, row-major. Panics if the sizes disagree.
    pub fn matmul(&self, x: &QuantizedRows, out: &mut [f32]) {
        self.matmul_with(Kernel::detect(), x, out)
    }

    /// [`Self::matmul`] with a chosen kernel; [`Kernel::Avx2`] must be supported by the CPU
    /// (as [`Kernel::detect`] checks), else this panics.
    pub fn matmul_with(&self, kernel: Kernel, x: &QuantizedRows, out: &mut [f32]) {
        assert_eq!(x.k, self.cols, "activation width {} for a matrix of {} columns", x.k, self.cols);
        assert_eq!(out.len(), x.m * self.rows, "output size");
        assert!(kernel.supported(), "this CPU lacks the features of the {kernel:?} kernel");
        let panels = self.rows.div_ceil(PANEL);
        let out = SharedOut { ptr: out.as_mut_ptr(), len: out.len() };
        // The unit of work: a panel, or with AVX-512 two (the last one alone when odd).
        #[cfg(target_arch = "x86_64")]
        let pairs = kernel == Kernel::Avx512Vnni;
        #[cfg(not(target_arch = "x86_64"))]
        let pairs = false;
        let units = if pairs { panels.div_ceil(2) } else { panels };
        let run = |range: std::ops::Range<usize>| {
            for u in range {
                match pairs {
                    true if 2 * u + 1 < panels => self.panel_pair(2 * u, x, &out),
                    true => self.panel(kernel, 2 * u, x, &out),
                    false => self.panel(kernel, u, x, &out),
                }
            }
        };
        // A product too small to be worth waking the other threads runs here.
        if x.m * self.rows * self.cols < 1 << 16 {
            run(0..units);
        } else {
            candle_core::utils::barrier_pool().execute_chunked(units, run);
        }
    }

    /// All tokens against panels `p0` and `p0 + 1` at once (AVX-512 VNNI).
    fn panel_pair(&self, p0: usize, x: &QuantizedRows, out: &SharedOut) {
        #[cfg(target_arch = "x86_64")]
        {
            let nb = self.cols / BLOCK;
            let (qa, qb) = (&self.qs[p0 * nb..(p0 + 1) * nb], &self.qs[(p0 + 1) * nb..(p0 + 2) * nb]);
            let (sa, sb) = (&self.scales[p0 * nb..(p0 + 1) * nb], &self.scales[(p0 + 1) * nb..(p0 + 2) * nb]);
            let row0 = p0 * PANEL;
            let width = (2 * PANEL).min(self.rows - row0);
            let write = |t0: usize, tile: &[[f32; 2 * PANEL]]| {
                for (t, vals) in tile.iter().enumerate() {
                    out.write((t0 + t) * self.rows + row0, &vals[..width]);
                }
            };
            // SAFETY: `matmul_with` checked that the CPU has AVX-512 VNNI (and AVX2, FMA, F16C).
            unsafe { avx2::tiles_pair(qa, qb, sa, sb, x, write) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!("panel pairs are an x86-64 kernel's ({p0}, {}, {})", x.m, out.len);
    }

    /// All tokens against panel `p`.
    fn panel(&self, kernel: Kernel, p: usize, x: &QuantizedRows, out: &SharedOut) {
        let nb = self.cols / BLOCK;
        let qs = &self.qs[p * nb..(p + 1) * nb];
        let scales = &self.scales[p * nb..(p + 1) * nb];
        let row0 = p * PANEL;
        let width = PANEL.min(self.rows - row0);
        let write = |t0: usize, tile: &[[f32; PANEL]]| {
            for (t, vals) in tile.iter().enumerate() {
                out.write((t0 + t) * self.rows + row0, &vals[..width]);
            }
        };
        match kernel {
            Kernel::Scalar => {
                for t in 0..x.m {
                    write(t, &[panel_scalar(qs, scales, x, t)]);
                }
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                // SAFETY (both): `matmul_with` checked that the CPU has AVX2, FMA and F16C.
                if self.narrow {
                    unsafe { avx2::tiles::<true>(qs, scales, x, write) };
                } else {
                    unsafe { avx2::tiles::<false>(qs, scales, x, write) };
                }
            }
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `matmul_with` checked that the CPU has AVX2, FMA, F16C and AVX-VNNI (which
            // AVX-512 VNNI here implies, see `supported`).
            Kernel::AvxVnni | Kernel::Avx512Vnni => unsafe { avx2::tiles_vnni(qs, scales, x, write) },
        }
    }
}

/// The output matrix, written by several threads at once, each to its own panels' columns.
struct SharedOut {
    ptr: *mut f32,
    len: usize,
}

// SAFETY: `SharedOut` is only used inside `matmul_with`, which holds the `&mut [f32]` it was
// made from for the whole call; threads write disjoint elements (see `write`).
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// Writes `vals` at `offset`. Callers write disjoint ranges: panel `p` only writes columns
    /// `8p..8p + 8` of each output row, and each panel is computed by one thread.
    fn write(&self, offset: usize, vals: &[f32]) {
        assert!(offset + vals.len() <= self.len, "output write out of bounds");
        // SAFETY: in bounds (checked above) of the live `&mut [f32]` this was made from, and no
        // other thread reads or writes these elements during the call (disjoint panels).
        unsafe { std::ptr::copy_nonoverlapping(vals.as_ptr(), self.ptr.add(offset), vals.len()) }
    }
}

/// One token against one panel, in the AVX2 kernel's order of operations.
fn panel_scalar(qs: &[PanelBlock], scales: &[[u16; PANEL]], x: &QuantizedRows, t: usize) -> [f32; PANEL] {
    let nb = qs.len();
    let xq = &x.qs[t * x.k..(t + 1) * x.k];
    let xd = &x.d[t * nb..(t + 1) * nb];
    let mut acc = [0f32; PANEL];
    for b in 0..nb {
        let xb = &xq[b * BLOCK..(b + 1) * BLOCK];
        for (r, a) in acc.iter_mut().enumerate() {
            let mut sum = 0i32;
            for (i, &xv) in xb.iter().enumerate() {
                sum += qs[b].0[(i / 4) * 32 + r * 4 + i % 4] as i32 * xv as i32;
            }
            let scale = f16_to_f32(scales[b][r]) * xd[b];
            *a = (sum as f32).mul_add(scale, *a);
        }
    }
    acc
}

impl QuantizedRows {
    /// Quantizes `m` rows of `k` values (`x` row-major); `k` must be a multiple of [`BLOCK`].
    pub fn quantize(x: &[f32], m: usize, k: usize) -> Self {
        Self::quantize_with(Kernel::detect(), x, m, k)
    }

    /// [`Self::quantize`] with a chosen kernel (same results either way).
    pub fn quantize_with(kernel: Kernel, x: &[f32], m: usize, k: usize) -> Self {
        assert!(k.is_multiple_of(BLOCK) && k > 0, "row width {k} is not a multiple of {BLOCK}");
        assert_eq!(x.len(), m * k, "activation size");
        let mut qs = vec![0i8; m * k];
        let mut d = vec![0f32; m * k / BLOCK];
        for ((src, dst), scale) in x.chunks_exact(BLOCK).zip(qs.chunks_exact_mut(BLOCK)).zip(d.iter_mut()) {
            let (src, dst): (&[f32; BLOCK], &mut [i8; BLOCK]) =
                (src.try_into().expect("block"), dst.try_into().expect("block"));
            *scale = match kernel {
                Kernel::Scalar => quantize_block_scalar(src, dst),
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2 | Kernel::AvxVnni | Kernel::Avx512Vnni => {
                    assert!(Kernel::Avx2.supported(), "the AVX2 kernel needs AVX2, FMA and F16C");
                    // SAFETY: the CPU has AVX2 (checked just above).
                    unsafe { avx2::quantize_block(src, dst) }
                }
            };
        }
        // Whichever kernel quantized them, the rows may meet the AVX-VNNI kernel where it runs.
        #[cfg(target_arch = "x86_64")]
        let shifted = match Kernel::AvxVnni.supported() || Kernel::Avx512Vnni.supported() {
            true => qs.iter().map(|&v| (v as u8) ^ 0x80).collect(),
            false => Vec::new(),
        };
        #[cfg(not(target_arch = "x86_64"))]
        let shifted = Vec::new();
        Self { m, k, qs, d, shifted }
    }

    /// Rows.
    pub fn len(&self) -> usize {
        self.m
    }

    pub fn is_empty(&self) -> bool {
        self.m == 0
    }
}

/// Quantizes 32 values to `round(x / d)` with `d = max|x| / 127`, rounding ties to even (as
/// the AVX conversion does); returns `d`.
fn quantize_block_scalar(x: &[f32; BLOCK], q: &mut [i8; BLOCK]) -> f32 {
    let amax = x.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d > 0.0 { 1.0 / d } else { 0.0 };
    for (q, &v) in q.iter_mut().zip(x) {
        *q = (v * id).round_ties_even() as i8;
    }
    d
}

/// IEEE half-precision bits to f32 (normals, subnormals, infinities, NaN).
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let mant = (h & 0x3ff) as u32;
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: value = mant · 2^-24, exact in f32.
            let v = mant as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, _) => sign | 0x7f80_0000 | (mant << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    //! The AVX2 + FMA + F16C kernels. Every function here needs those features: callers check
    //! with `Kernel::detect` first.

    use super::{BLOCK, PANEL, PanelBlock, QuantizedRows, TOKENS};
    use std::arch::x86_64::*;

    /// All tokens of `x` against one panel: `tile::<T>(t0)` for [`TOKENS`] tokens at a time, then
    /// the rest, each tile's sums passed to `write(first_token, sums)`.
    macro_rules! each_tile {
        ($x:expr, $write:expr, $tile:ident $(::<$($g:tt),*>)?, $($arg:expr),*) => {{
            let (x, write) = ($x, $write);
            let mut t0 = 0;
            while t0 + TOKENS <= x.m {
                write(t0, &$tile::<$($($g,)*)? TOKENS>($($arg,)* x, t0));
                t0 += TOKENS;
            }
            match x.m - t0 {
                3 => write(t0, &$tile::<$($($g,)*)? 3>($($arg,)* x, t0)),
                2 => write(t0, &$tile::<$($($g,)*)? 2>($($arg,)* x, t0)),
                1 => write(t0, &$tile::<$($($g,)*)? 1>($($arg,)* x, t0)),
                _ => {}
            }
        }};
    }

    /// All tokens of `x` against one panel. `NARROW`: the panel's values are all in -16..=16.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) fn tiles<const NARROW: bool>(
        qs: &[PanelBlock],
        scales: &[[u16; PANEL]],
        x: &QuantizedRows,
        write: impl Fn(usize, &[[f32; PANEL]]),
    ) {
        each_tile!(x, write, tile::<NARROW>, qs, scales);
    }

    /// [`tiles`] with AVX-VNNI.
    #[target_feature(enable = "avx2,fma,f16c,avxvnni")]
    pub(super) fn tiles_vnni(
        qs: &[PanelBlock],
        scales: &[[u16; PANEL]],
        x: &QuantizedRows,
        write: impl Fn(usize, &[[f32; PANEL]]),
    ) {
        each_tile!(x, write, tile_vnni, qs, scales);
    }

    /// Two panels against all tokens of `x`, with AVX-512 VNNI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma,f16c")]
    pub(super) fn tiles_pair(
        qa: &[PanelBlock],
        qb: &[PanelBlock],
        sa: &[[u16; PANEL]],
        sb: &[[u16; PANEL]],
        x: &QuantizedRows,
        write: impl Fn(usize, &[[f32; 2 * PANEL]]),
    ) {
        each_tile!(x, write, tile_pair, qa, qb, sa, sb);
    }

    /// [`tile_vnni`] for two panels at once: one 512-bit register holds 4 values of each of 16
    /// rows (the first panel's 8 in the low half), so each broadcast token value serves twice
    /// as many rows. Per lane the same integer sums and the same float operations: the same
    /// results.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma,f16c")]
    fn tile_pair<const T: usize>(
        qa: &[PanelBlock],
        qb: &[PanelBlock],
        sa: &[[u16; PANEL]],
        sb: &[[u16; PANEL]],
        x: &QuantizedRows,
        t0: usize,
    ) -> [[f32; 2 * PANEL]; T] {
        let nb = qa.len();
        assert!(
            qb.len() == nb && sa.len() == nb && sb.len() == nb && x.k == nb * BLOCK && t0 + T <= x.m,
            "tile bounds"
        );
        assert_eq!(x.shifted.len(), x.qs.len(), "activations quantized for the VNNI kernels");
        let (xu, xd) = rows::<u8, T>(x, &x.shifted, t0);
        let ones = _mm512_set1_epi8(1);
        let mut acc = [_mm512_setzero_ps(); T];
        for b in 0..nb {
            let (ba, bb) = (&qa[b].0, &qb[b].0);
            let mut isum = [_mm512_setzero_si512(); T];
            let mut wsum = _mm512_setzero_si512();
            for s in 0..8 {
                // SAFETY: both blocks are 256 bytes aligned to 32; bytes 32s..32s + 32 are in them.
                let (lo, hi) = unsafe {
                    (
                        _mm256_load_si256(ba.as_ptr().add(32 * s).cast()),
                        _mm256_load_si256(bb.as_ptr().add(32 * s).cast()),
                    )
                };
                let w = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(lo), hi);
                wsum = _mm512_dpbusd_epi32(wsum, ones, w);
                for t in 0..T {
                    let at = b * BLOCK + 4 * s;
                    let four: [u8; 4] = xu[t][at..at + 4].try_into().expect("4 values");
                    isum[t] = _mm512_dpbusd_epi32(isum[t], _mm512_set1_epi32(i32::from_le_bytes(four)), w);
                }
            }
            let correction = _mm512_slli_epi32::<7>(wsum);
            // SAFETY: each `[u16; 8]` is 16 readable bytes; the loads are unaligned.
            let halves =
                unsafe { (_mm_loadu_si128(sb[b].as_ptr().cast()), _mm_loadu_si128(sa[b].as_ptr().cast())) };
            let ws = _mm512_cvtph_ps(_mm256_set_m128i(halves.0, halves.1));
            for t in 0..T {
                let v = _mm512_cvtepi32_ps(_mm512_sub_epi32(isum[t], correction));
                acc[t] = _mm512_fmadd_ps(v, _mm512_mul_ps(ws, _mm512_set1_ps(xd[t][b])), acc[t]);
            }
        }
        let mut out = [[0f32; 2 * PANEL]; T];
        for (o, a) in out.iter_mut().zip(acc) {
            // SAFETY: `o` is 16 writable f32; the store is unaligned.
            unsafe { _mm512_storeu_ps(o.as_mut_ptr(), a) };
        }
        out
    }

    /// The tokens' rows of `x` from `t0` (quantized values as `values` gives them) and their
    /// block scales.
    fn rows<'a, V, const T: usize>(
        x: &'a QuantizedRows,
        values: &'a [V],
        t0: usize,
    ) -> ([&'a [V]; T], [&'a [f32]; T]) {
        let nb = x.k / BLOCK;
        (
            std::array::from_fn(|t| &values[(t0 + t) * x.k..(t0 + t + 1) * x.k]),
            std::array::from_fn(|t| &x.d[(t0 + t) * nb..(t0 + t + 1) * nb]),
        )
    }

    /// Adds block `b`'s integer sums, scaled by the weights' and the tokens' scales, to `acc`.
    #[target_feature(enable = "avx2,fma,f16c")]
    fn scale_into<const T: usize>(
        acc: &mut [__m256; T],
        isum: &[__m256i; T],
        scales: &[u16; PANEL],
        xd: &[&[f32]; T],
        b: usize,
    ) {
        // SAFETY: a `[u16; 8]` is 16 readable bytes; the load is unaligned.
        let ws = _mm256_cvtph_ps(unsafe { _mm_loadu_si128(scales.as_ptr().cast()) });
        for t in 0..T {
            let scale = _mm256_mul_ps(ws, _mm256_set1_ps(xd[t][b]));
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), scale, acc[t]);
        }
    }

    /// The accumulated sums as plain arrays.
    #[target_feature(enable = "avx2,fma,f16c")]
    fn stored<const T: usize>(acc: [__m256; T]) -> [[f32; PANEL]; T] {
        let mut out = [[0f32; PANEL]; T];
        for (o, a) in out.iter_mut().zip(acc) {
            // SAFETY: `o` is 8 writable f32; the store is unaligned.
            unsafe { _mm256_storeu_ps(o.as_mut_ptr(), a) };
        }
        out
    }

    /// [`tile`] with AVX-VNNI: `vpdpbusd` multiplies the token's values plus 128 (unsigned, see
    /// [`QuantizedRows::shifted`]) by the weights and adds each row's 4 products to its i32 sum;
    /// 128 times the block's weight sums (one more `vpdpbusd` per step, against ones) is taken
    /// off. All exact in i32: the same sums as the other kernels.
    #[target_feature(enable = "avx2,fma,f16c,avxvnni")]
    fn tile_vnni<const T: usize>(
        qs: &[PanelBlock],
        scales: &[[u16; PANEL]],
        x: &QuantizedRows,
        t0: usize,
    ) -> [[f32; PANEL]; T] {
        let nb = qs.len();
        assert!(scales.len() == nb && x.k == nb * BLOCK && t0 + T <= x.m, "tile bounds");
        assert_eq!(x.shifted.len(), x.qs.len(), "activations quantized for the AVX-VNNI kernel");
        let (xu, xd) = rows::<u8, T>(x, &x.shifted, t0);
        let ones = _mm256_set1_epi8(1);
        let mut acc = [_mm256_setzero_ps(); T];
        for b in 0..nb {
            let blk = &qs[b].0;
            let mut isum = [_mm256_setzero_si256(); T];
            let mut wsum = _mm256_setzero_si256();
            for s in 0..8 {
                // SAFETY: `blk` is 256 bytes aligned to 32; bytes 32s..32s + 32 are in it.
                let w = unsafe { _mm256_load_si256(blk.as_ptr().add(32 * s).cast()) };
                wsum = _mm256_dpbusd_avx_epi32(wsum, ones, w);
                for t in 0..T {
                    let at = b * BLOCK + 4 * s;
                    let four: [u8; 4] = xu[t][at..at + 4].try_into().expect("4 values");
                    let xv = _mm256_set1_epi32(i32::from_le_bytes(four));
                    isum[t] = _mm256_dpbusd_avx_epi32(isum[t], xv, w);
                }
            }
            let correction = _mm256_slli_epi32::<7>(wsum);
            for v in isum.iter_mut() {
                *v = _mm256_sub_epi32(*v, correction);
            }
            scale_into(&mut acc, &isum, &scales[b], &xd, b);
        }
        stored(acc)
    }

    /// Tokens `t0..t0 + T` against one panel (`qs`, `scales`: its blocks); returns, per token,
    /// the 8 rows' sums. With `NARROW` (all weights in -16..=16), a block's 8 steps of pair
    /// sums (each at most `2 · 16 · 127`) are added in i16, at most 32512, and widened once.
    #[target_feature(enable = "avx2,fma,f16c")]
    fn tile<const NARROW: bool, const T: usize>(
        qs: &[PanelBlock],
        scales: &[[u16; PANEL]],
        x: &QuantizedRows,
        t0: usize,
    ) -> [[f32; PANEL]; T] {
        let nb = qs.len();
        assert!(scales.len() == nb && x.k == nb * BLOCK && t0 + T <= x.m, "tile bounds");
        let (xq, xd) = rows::<i8, T>(x, &x.qs, t0);
        let ones = _mm256_set1_epi16(1);
        let mut acc = [_mm256_setzero_ps(); T];
        for b in 0..nb {
            let blk = &qs[b].0;
            let mut isum = [_mm256_setzero_si256(); T];
            let mut isum16 = [_mm256_setzero_si256(); T];
            for s in 0..8 {
                // SAFETY: `blk` is 256 bytes aligned to 32; bytes 32s..32s + 32 are in it.
                let w = unsafe { _mm256_load_si256(blk.as_ptr().add(32 * s).cast()) };
                let aw = _mm256_abs_epi8(w);
                for t in 0..T {
                    let at = b * BLOCK + 4 * s;
                    let four: [i8; 4] = xq[t][at..at + 4].try_into().expect("4 values");
                    // The token's 4 values, against the same 4 positions of each of the 8 rows.
                    let xv = _mm256_set1_epi32(i32::from_le_bytes(four.map(|v| v as u8)));
                    // |w| · (x with w's sign) = w · x; pairs summed in i16 (at most
                    // 2 · 127 · 127, no overflow), then in i32 per row.
                    let p = _mm256_maddubs_epi16(aw, _mm256_sign_epi8(xv, w));
                    if NARROW {
                        isum16[t] = _mm256_add_epi16(isum16[t], p);
                    } else {
                        isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(p, ones));
                    }
                }
            }
            if NARROW {
                for t in 0..T {
                    isum[t] = _mm256_madd_epi16(isum16[t], ones);
                }
            }
            scale_into(&mut acc, &isum, &scales[b], &xd, b);
        }
        stored(acc)
    }

    /// `quantize_block_scalar` with AVX2: same scale, same rounding (to nearest, ties to even,
    /// the default MXCSR mode), same values.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) fn quantize_block(x: &[f32; BLOCK], q: &mut [i8; BLOCK]) -> f32 {
        // SAFETY: `x` holds 32 f32, read as 4 unaligned vectors of 8.
        let v: [__m256; 4] = unsafe {
            let p = x.as_ptr();
            [
                _mm256_loadu_ps(p),
                _mm256_loadu_ps(p.add(8)),
                _mm256_loadu_ps(p.add(16)),
                _mm256_loadu_ps(p.add(24)),
            ]
        };
        let sign = _mm256_set1_ps(-0.0);
        let abs = v.map(|v| _mm256_andnot_ps(sign, v));
        let m = _mm256_max_ps(_mm256_max_ps(abs[0], abs[1]), _mm256_max_ps(abs[2], abs[3]));
        let m = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        let m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        let m = _mm_max_ss(m, _mm_movehdup_ps(m));
        let amax = _mm_cvtss_f32(m);
        let d = amax / 127.0;
        let id = _mm256_set1_ps(if d > 0.0 { 1.0 / d } else { 0.0 });
        let i = v.map(|v| _mm256_cvtps_epi32(_mm256_mul_ps(v, id)));
        // packs work within 128-bit lanes; the permute puts the 8 groups of 4 back in order.
        let packed = _mm256_packs_epi16(_mm256_packs_epi32(i[0], i[1]), _mm256_packs_epi32(i[2], i[3]));
        let ordered = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        // SAFETY: `q` is 32 writable bytes; the store is unaligned.
        unsafe { _mm256_storeu_si256(q.as_mut_ptr().cast(), ordered) };
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use candle_core::quantized::{GgmlDType, QTensor};

    /// Deterministic pseudo-random values in -1..1 (xorshift), with some outliers.
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let v = (s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0;
                if i % 97 == 0 { v * 8.0 } else { v }
            })
            .collect()
    }

    /// A Q8_0 matrix quantized by candle, as raw ggml bytes and as candle dequantizes it.
    fn q8_weights(rows: usize, cols: usize, seed: u64) -> (Vec<u8>, Vec<f32>) {
        let w = candle_core::Tensor::from_vec(values(rows * cols, seed), (rows, cols), &Device::Cpu).unwrap();
        let q = QTensor::quantize(&w, GgmlDType::Q8_0).unwrap();
        let deq = q.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        (q.data().unwrap().into_owned(), deq)
    }

    /// Raw Q8_0 bytes with integer values in `-max..=max` (scales from 0.001 to 0.06), as
    /// re-quantized Q5_0 weights (`max` = 16) have; `extreme`: every value is `-max`.
    fn small_weights(rows: usize, cols: usize, max: i32, extreme: bool, seed: u64) -> Vec<u8> {
        let v = values(rows * cols, seed);
        let mut out = Vec::new();
        for (b, blk) in v.chunks(BLOCK).enumerate() {
            let d = half_bits(0.001 + (b % 61) as f32 * 0.001);
            out.extend_from_slice(&d.to_le_bytes());
            out.extend(blk.iter().map(|&x| {
                if extreme {
                    -max as i8 as u8
                } else {
                    ((x * max as f32).round() as i32).clamp(-max, max) as i8 as u8
                }
            }));
        }
        out
    }

    /// f16 bits of a positive normal value (truncating the mantissa).
    fn half_bits(v: f32) -> u16 {
        let b = v.to_bits();
        ((((b >> 23) & 0xff) + 15 - 127) << 10 | (b >> 13) & 0x3ff) as u16
    }

    /// Weights in -16..=16 take the kernel's narrow path (block sums in i16); this includes the
    /// extreme case of all weights -16 against activations ±127, the largest sums possible.
    #[test]
    fn narrow_weights_match_scalar_and_reference() {
        for &(m, rows, k, extreme) in
            &[(1, 9, 896, false), (17, 21, 896, false), (5, 8, 4864, true), (3, 16, 64, true)]
        {
            let bytes = small_weights(rows, k, 16, extreme, (m + rows) as u64);
            let mat = Q8Matrix::from_q8_0(&bytes, rows, k).unwrap();
            assert!(mat.narrow);
            let w = mat.dequantize();
            // Extreme: each token's activations all quantize to 127 (or all to -127), so each
            // block sum is ±32 · 16 · 127.
            let x: Vec<f32> = if extreme {
                (0..m * k).map(|i| if (i / k) % 2 == 0 { -1.5 } else { 1.5 }).collect()
            } else {
                values(m * k, 9)
            };
            let xq = QuantizedRows::quantize(&x, m, k);
            let mut reference = vec![0f32; m * rows];
            mat.matmul_with(Kernel::Scalar, &xq, &mut reference);
            for t in 0..m {
                for r in 0..rows {
                    let (exact, magnitude) = exact_product(&xq, &w, k, t, r);
                    let got = reference[t * rows + r] as f64;
                    assert!((got - exact).abs() <= 1e-5 * magnitude + 1e-7, "[{t},{r}]: {got} vs {exact}");
                }
            }
            let mut out = vec![0f32; m * rows];
            mat.matmul(&xq, &mut out);
            assert_eq!(out, reference, "m={m} rows={rows} k={k} extreme={extreme}");
        }
        // One value past the narrow range turns the narrow path off.
        let mut bytes = small_weights(8, 64, 16, false, 1);
        bytes[5] = 17;
        assert!(!Q8Matrix::from_q8_0(&bytes, 8, 64).unwrap().narrow);
    }

    /// Every kernel this CPU runs.
    fn kernels() -> Vec<Kernel> {
        let mut all = vec![Kernel::Scalar];
        #[cfg(target_arch = "x86_64")]
        all.extend([Kernel::Avx2, Kernel::AvxVnni, Kernel::Avx512Vnni]);
        all.into_iter().filter(|k| k.supported()).collect()
    }

    #[test]
    fn repacking_keeps_the_weights() {
        let (bytes, deq) = q8_weights(13, 96, 1);
        let m = Q8Matrix::from_q8_0(&bytes, 13, 96).unwrap();
        assert_eq!(m.dequantize(), deq);
        assert!(Q8Matrix::from_q8_0(&bytes[1..], 13, 96).is_err());
        assert!(Q8Matrix::from_q8_0(&bytes, 13, 100).is_err());
    }

    #[test]
    fn f16_conversion() {
        for (bits, v) in
            [(0x3c00u16, 1.0f32), (0xc000, -2.0), (0x0001, 5.960_464_5e-8), (0x7bff, 65504.0), (0, 0.0)]
        {
            assert_eq!(f16_to_f32(bits), v, "{bits:#x}");
        }
        assert!(f16_to_f32(0x7c00).is_infinite() && f16_to_f32(0x7e00).is_nan());
    }

    /// Against f32 weights × unquantized f32 activations: the only error is the activations'
    /// quantization, at most half a step `d/2` per value, so each output is within
    /// `Σ_blocks d_b / 2 · Σ_{c in block} |w_c|` (plus f32 rounding) of the exact product.
    #[test]
    fn matches_an_f32_reference() {
        for kernel in kernels() {
            for &(m, rows, k) in &[
                (1, 8, 32),
                (1, 37, 896),
                (3, 21, 896),
                (17, 45, 896),
                (3, 19, 4864),
                (17, 9, 4864),
                (64, 24, 128),
            ] {
                let (bytes, w) = q8_weights(rows, k, (m * 1000 + rows + k) as u64);
                let x = values(m * k, (m + rows * k) as u64);
                let mat = Q8Matrix::from_q8_0(&bytes, rows, k).unwrap();
                let xq = QuantizedRows::quantize_with(kernel, &x, m, k);
                let mut out = vec![f32::NAN; m * rows];
                mat.matmul_with(kernel, &xq, &mut out);
                for t in 0..m {
                    for r in 0..rows {
                        let (xr, wr) = (&x[t * k..(t + 1) * k], &w[r * k..(r + 1) * k]);
                        let exact: f64 = xr.iter().zip(wr).map(|(&a, &b)| a as f64 * b as f64).sum();
                        let mut bound = 0f64;
                        let mut magnitude = 0f64;
                        for (xb, wb) in xr.chunks(BLOCK).zip(wr.chunks(BLOCK)) {
                            let d = xb.iter().fold(0f32, |m, v| m.max(v.abs())) as f64 / 127.0;
                            bound += d / 2.0 * wb.iter().map(|v| v.abs() as f64).sum::<f64>();
                            magnitude +=
                                xb.iter().zip(wb).map(|(&a, &b)| (a as f64 * b as f64).abs()).sum::<f64>();
                        }
                        let tol = bound + 1e-5 * magnitude + 1e-6;
                        let got = out[t * rows + r] as f64;
                        assert!(
                            (got - exact).abs() <= tol,
                            "{kernel:?} m={m} rows={rows} k={k} [{t},{r}]: {got} vs {exact} (tol {tol})"
                        );
                    }
                }
            }
        }
    }

    /// Against the exact product of the quantized operands (in f64): only f32 rounding differs,
    /// relative 1e-5 of `Σ|w·x|`.
    /// Row `r` of the weights times token `t` of the quantized activations, in f64, with the sum
    /// of the absolute products (the scale of rounding error to allow).
    fn exact_product(xq: &QuantizedRows, w: &[f32], k: usize, t: usize, r: usize) -> (f64, f64) {
        let (mut exact, mut magnitude) = (0f64, 0f64);
        for c in 0..k {
            let xv = xq.qs[t * k + c] as f64 * xq.d[t * k / BLOCK + c / BLOCK] as f64;
            exact += xv * w[r * k + c] as f64;
            magnitude += (xv * w[r * k + c] as f64).abs();
        }
        (exact, magnitude)
    }

    #[test]
    fn matches_the_quantized_product() {
        for kernel in kernels() {
            for &(m, rows, k) in &[(1, 11, 896), (5, 16, 896), (17, 13, 4864)] {
                let (bytes, w) = q8_weights(rows, k, 7 + m as u64);
                let x = values(m * k, 3 + rows as u64);
                let mat = Q8Matrix::from_q8_0(&bytes, rows, k).unwrap();
                let xq = QuantizedRows::quantize_with(kernel, &x, m, k);
                let mut out = vec![0f32; m * rows];
                mat.matmul_with(kernel, &xq, &mut out);
                for t in 0..m {
                    for r in 0..rows {
                        let (exact, magnitude) = exact_product(&xq, &w, k, t, r);
                        let got = out[t * rows + r] as f64;
                        assert!(
                            (got - exact).abs() <= 1e-5 * magnitude + 1e-7,
                            "[{t},{r}]: {got} vs {exact}"
                        );
                    }
                }
            }
        }
    }

    /// The SIMD kernels compute the same sums in the same order as the scalar ones: equal bits.
    #[test]
    fn simd_matches_scalar_exactly() {
        let simd_kernels: Vec<Kernel> = kernels().into_iter().filter(|&k| k != Kernel::Scalar).collect();
        if simd_kernels.is_empty() {
            eprintln!("no SIMD kernel on this CPU; nothing to compare");
            return;
        }
        for simd in simd_kernels {
            simd_matches_scalar(simd);
        }
    }

    fn simd_matches_scalar(simd: Kernel) {
        for &(m, rows, k) in &[(1, 8, 896), (3, 17, 896), (17, 29, 4864), (6, 3, 64)] {
            let (bytes, _) = q8_weights(rows, k, 11);
            let mut x = values(m * k, 5);
            x[..BLOCK].fill(0.0); // an all-zero block: scale 0
            let mat = Q8Matrix::from_q8_0(&bytes, rows, k).unwrap();
            let (xs, xv) = (
                QuantizedRows::quantize_with(Kernel::Scalar, &x, m, k),
                QuantizedRows::quantize_with(simd, &x, m, k),
            );
            assert_eq!(xs.qs, xv.qs, "quantized values");
            assert_eq!(xs.d, xv.d, "quantization scales");
            let (mut a, mut b) = (vec![0f32; m * rows], vec![0f32; m * rows]);
            mat.matmul_with(Kernel::Scalar, &xs, &mut a);
            mat.matmul_with(simd, &xs, &mut b);
            assert_eq!(a, b, "{simd:?}: m={m} rows={rows} k={k}");
            // Weights in the narrow range too (the AVX2 kernel's other path).
            let narrow = Q8Matrix::from_q8_0(&small_weights(rows, k, 16, false, 3), rows, k).unwrap();
            narrow.matmul_with(Kernel::Scalar, &xs, &mut a);
            narrow.matmul_with(simd, &xs, &mut b);
            assert_eq!(a, b, "{simd:?} narrow: m={m} rows={rows} k={k}");
        }
    }

    /// Large enough to be split across threads: same result as one panel at a time.
    #[test]
    fn threaded_product_matches_scalar() {
        let (m, rows, k) = (9, 203, 896);
        let (bytes, _) = q8_weights(rows, k, 21);
        let x = values(m * k, 22);
        let mat = Q8Matrix::from_q8_0(&bytes, rows, k).unwrap();
        let xq = QuantizedRows::quantize(&x, m, k);
        let (mut a, mut b) = (vec![0f32; m * rows], vec![1f32; m * rows]);
        mat.matmul_with(Kernel::Scalar, &xq, &mut a);
        mat.matmul(&xq, &mut b);
        assert_eq!(a, b);
    }
}
