//! Lossless re-quantization of Q5_0 weights to Q8_0 at load.
//!
//! candle-core's Q5_0 dot product is a scalar loop, while Q8_0 matrices go through the int8
//! kernel of `gemm` (whose narrow path also profits from these small values). A Q5_0
//! block stores 32 five-bit integers `q` and one f16 scale `d`, the values being `(q - 16) * d`;
//! a Q8_0 block stores 32 `i8` and one f16 scale. Writing `q - 16` (in -16..=15) with the same
//! scale is exact: the re-quantized weights are the same numbers, 55% larger in memory.

/// Bytes of one Q5_0 block: f16 scale, 32 high bits, 16 bytes of low nibbles.
pub const Q5_0_BLOCK: usize = 22;
/// Bytes of one Q8_0 block: f16 scale, 32 signed bytes.
pub const Q8_0_BLOCK: usize = 34;

/// Converts the raw bytes of a Q5_0 tensor to those of the same tensor in Q8_0 (ggml layouts).
/// A trailing partial block (never present in a valid tensor) is ignored.
pub fn q5_0_to_q8_0(src: &[u8]) -> Vec<u8> {
    let blocks = src.len() / Q5_0_BLOCK;
    let mut out = vec![0u8; blocks * Q8_0_BLOCK];
    for (b, o) in src.chunks_exact(Q5_0_BLOCK).zip(out.chunks_exact_mut(Q8_0_BLOCK)) {
        o[..2].copy_from_slice(&b[..2]);
        let high = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
        let low = &b[6..22];
        for j in 0..16 {
            let lo = low[j] & 0x0f | (((high >> j) & 1) as u8) << 4;
            let hi = low[j] >> 4 | (((high >> (j + 16)) & 1) as u8) << 4;
            o[2 + j] = (lo as i8 - 16) as u8;
            o[2 + j + 16] = (hi as i8 - 16) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use candle_core::quantized::{GgmlDType, QTensor, ggml_file};

    #[test]
    fn requantized_weights_dequantize_to_the_same_values() {
        // Values with every 5-bit level, in several blocks with different scales.
        let n = 32 * 8;
        let values: Vec<f32> =
            (0..n).map(|i| ((i * 7 % 32) as f32 - 16.0) * (0.01 + (i / 32) as f32 * 0.37)).collect();
        let t = candle_core::Tensor::from_vec(values, (4, n / 4), &Device::Cpu).unwrap();
        let q5 = QTensor::quantize(&t, GgmlDType::Q5_0).unwrap();
        let bytes = q5.data().unwrap();
        let q8 = q5_0_to_q8_0(&bytes);
        let q8 = ggml_file::qtensor_from_ggml(GgmlDType::Q8_0, &q8, vec![4, n / 4], &Device::Cpu).unwrap();
        let a: Vec<f32> = q5.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        let b: Vec<f32> = q8.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(a, b);
        assert!(a.iter().any(|&v| v != 0.0));
    }
}
