//! A weight matrix of the model, applied as `x · Wᵀ`: Q8_0 matrices (including the Q5_0 ones
//! re-quantized at load, see `requant`) go through the batched int8 kernel of [`crate::gemm`],
//! which is several times faster than candle's for many tokens and not slower for one; the
//! other types (the k-quants) through candle's `QMatMul`.

use crate::gemm::{Q8Matrix, QuantizedRows};
use candle_core::quantized::QMatMul;
use candle_core::{CpuStorage, CustomOp1, Layout, Module, Shape, Tensor};

#[derive(Debug)]
pub enum Linear {
    Int8(Q8Matrix),
    Candle(QMatMul),
}

impl Linear {
    /// `x` of shape `(.., cols)` to `(.., rows)`.
    pub fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Linear::Int8(w) => x.contiguous()?.apply_op1_no_bwd(&Int8Op(w)),
            // One row goes through candle's single-row product, several through its tiled one,
            // which sum in another order: a lone row is paired with itself, so that a token's
            // result does not depend on how many are evaluated with it (drafts are checked in one
            // pass and must agree with tokens evaluated one at a time).
            Linear::Candle(w) if x.dim(0)? == 1 && x.rank() == 2 => {
                w.forward(&Tensor::cat(&[x, x], 0)?)?.narrow(0, 0, 1)
            }
            Linear::Candle(w) => w.forward(x),
        }
    }
}

/// The int8 product as a candle op, so that it reads the input tensor's storage in place.
struct Int8Op<'a>(&'a Q8Matrix);

impl CustomOp1 for Int8Op<'_> {
    fn name(&self) -> &'static str {
        "q8-int8-matmul"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let w = self.0;
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("{}: expected an f32 input", self.name());
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("{}: input is not contiguous", self.name());
        };
        let mut dims = layout.dims().to_vec();
        if dims.last() != Some(&w.cols()) {
            candle_core::bail!("{}: input {dims:?} for a matrix of {} columns", self.name(), w.cols());
        }
        let x = &data[start..end];
        let m = x.len() / w.cols();
        let xq = QuantizedRows::quantize(x, m, w.cols());
        let mut out = vec![0f32; m * w.rows()];
        w.matmul(&xq, &mut out);
        *dims.last_mut().expect("non-empty dims") = w.rows();
        Ok((CpuStorage::F32(out), Shape::from(dims)))
    }
}
