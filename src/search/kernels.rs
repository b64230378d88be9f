//! Distance kernels, written so the compiler vectorises them.
//!
//! Floating-point addition is not associative, so LLVM may not reorder a plain `sum += a * b` loop into SIMD lanes.
//! These loops keep [`LANES`] independent partial sums (one per lane of a SIMD register, several registers wide),
//! walk the vectors in `chunks_exact(LANES)`, and fold the lanes at the end; the tail (dim not a multiple of
//! [`LANES`]) is summed in the same lanes. That shape compiles to packed multiply-adds with no `unsafe` and no
//! intrinsics. The summation order differs from a left-to-right sum, so results can differ from it in the last
//! bits, as Milvus's own SIMD kernels do.

/// Independent partial sums per kernel: four 128-bit registers (SSE2), two 256-bit ones (AVX2) or one 512-bit one.
pub(super) const LANES: usize = 16;

/// Folds the lanes pairwise: a balanced tree, the order a SIMD horizontal sum uses. Spelled out for `LANES` = 16:
/// `v[i] = (acc[i] + acc[i + 8]) + (acc[i + 4] + acc[i + 12])`, then `(v[0] + v[2]) + (v[1] + v[3])`.
///
/// The last two levels go through [`std::hint::black_box`]: without that barrier LLVM's SLP vectoriser plans the
/// whole reduction tree, down to its 2-wide top, and then vectorises the main loop 2 floats at a time instead of 4
/// (measured: 1.6x slower on cached data). The barrier costs one 16-byte store and reload per row.
#[inline(always)]
fn fold(acc: [f32; LANES]) -> f32 {
    const _: () = assert!(LANES == 16, "fold spells out the tree for 16 lanes");
    let v: [f32; 4] = std::array::from_fn(|i| (acc[i] + acc[i + 8]) + (acc[i + 4] + acc[i + 12]));
    let v = std::hint::black_box(v);
    (v[0] + v[2]) + (v[1] + v[3])
}

/// [`fold`] for several rows at once: `acc[lane][row]`, folded over the lanes by the same tree, row by row.
#[inline(always)]
pub(super) fn fold_rows<const ROWS: usize>(mut acc: [[f32; ROWS]; LANES]) -> [f32; ROWS] {
    let mut width = LANES / 2;
    while width > 0 {
        let (low, high) = acc.split_at_mut(width);
        for (a, b) in low.iter_mut().zip(high.iter()) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        width /= 2;
    }
    acc[0]
}

/// Calls `f` on `a` and `b` chunk by chunk, [`LANES`] values at a time. The tail (dim not a multiple of `LANES`)
/// comes last, padded with zeros. A zero pair adds +0.0 to a lane, which changes no sum (the lanes start at +0.0,
/// so none is ever −0.0), and a fixed-size chunk keeps the lanes at fixed indices: a tail loop indexing them
/// leads LLVM to vectorise the main loop with shuffled lanes.
#[inline(always)]
fn chunks(a: &[f32], b: &[f32], mut f: impl FnMut(&[f32; LANES], &[f32; LANES])) {
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    for (x, y) in a_chunks.zip(b_chunks) {
        f(x.try_into().expect("chunks_exact"), y.try_into().expect("chunks_exact"));
    }
    if !a_tail.is_empty() {
        let (mut x, mut y) = ([0.0f32; LANES], [0.0f32; LANES]);
        x[..a_tail.len()].copy_from_slice(a_tail);
        y[..b_tail.len()].copy_from_slice(b_tail);
        f(&x, &y);
    }
}

/// Walks `a` and `b` lane by lane, calling `step(acc, x, y)` on each pair, and returns the accumulators.
#[inline(always)]
fn lanes(a: &[f32], b: &[f32], step: impl Fn(f32, f32, f32) -> f32) -> [f32; LANES] {
    let mut acc = [0.0f32; LANES];
    chunks(a, b, |x, y| {
        for i in 0..LANES {
            acc[i] = step(acc[i], x[i], y[i]);
        }
    });
    acc
}

/// Inner product Σ aᵢbᵢ (IP). `a` and `b` have the same length.
#[inline(always)]
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    fold(lanes(a, b, |acc, x, y| acc + x * y))
}

/// Squared Euclidean distance Σ (aᵢ − bᵢ)² (L2 as Milvus reports it: no square root).
#[inline(always)]
pub(super) fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    fold(lanes(a, b, |acc, x, y| {
        let d = x - y;
        acc + d * d
    }))
}

/// Cosine similarity a·b / (‖a‖‖b‖), given ‖a‖ (the query's norm, computed once per query).
///
/// A zero vector has no direction; its similarity is reported as 0 instead of NaN (which JSON cannot carry).
#[inline(always)]
pub(super) fn cosine(query: &[f32], query_norm: f32, row: &[f32]) -> f32 {
    let mut dots = [0.0f32; LANES];
    let mut squares = [0.0f32; LANES];
    chunks(query, row, |q, r| {
        for i in 0..LANES {
            dots[i] += q[i] * r[i];
            squares[i] += r[i] * r[i];
        }
    });
    let denominator = query_norm * fold(squares).sqrt();
    if denominator == 0.0 { 0.0 } else { fold(dots) / denominator }
}

/// Euclidean norm ‖a‖.
pub(super) fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

/// Counts of set bits over a pair of binary vectors, 8 bytes at a time.
#[inline(always)]
fn bit_counts(a: &[u8], b: &[u8], count: impl Fn(u64, u64) -> u32) -> u32 {
    let (a_words, b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: u32 = a_words.remainder().iter().zip(b_words.remainder()).map(|(&x, &y)| count(x.into(), y.into())).sum();
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("chunks_exact(8) yields 8 bytes"));
    a_words.zip(b_words).map(|(x, y)| count(word(x), word(y))).sum::<u32>() + tail
}

/// Number of differing bits (HAMMING).
#[inline(always)]
pub(super) fn hamming(a: &[u8], b: &[u8]) -> f32 {
    bit_counts(a, b, |x, y| (x ^ y).count_ones()) as f32
}

/// Jaccard distance 1 − |a∧b| / |a∨b| (JACCARD). Two empty vectors are identical: distance 0, not NaN.
#[inline(always)]
pub(super) fn jaccard(a: &[u8], b: &[u8]) -> f32 {
    let union = bit_counts(a, b, |x, y| (x | y).count_ones());
    if union == 0 {
        return 0.0;
    }
    let intersection = bit_counts(a, b, |x, y| (x & y).count_ones());
    1.0 - intersection as f32 / union as f32
}

/// Inner product of two sparse vectors (sorted indices): a merge over the indices both hold.
pub(super) fn sparse_dot(a_indices: &[u32], a_values: &[f32], b_indices: &[u32], b_values: &[f32]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a_indices.len() && j < b_indices.len() {
        match a_indices[i].cmp(&b_indices[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a_values[i] * b_values[j];
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference_dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum()
    }

    fn reference_l2(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum()
    }

    /// Two vectors of the same random length (tails included), components in [-10, 10].
    fn vector_pair() -> impl Strategy<Value = (Vec<f32>, Vec<f32>)> {
        (1usize..300)
            .prop_flat_map(|n| (prop::collection::vec(-10.0f32..10.0, n), prop::collection::vec(-10.0f32..10.0, n)))
    }

    /// f32 sums of n terms of magnitude up to `scale` carry an error of about n·ε·scale.
    fn tolerance(n: usize, scale: f64) -> f64 {
        1e-6 * n as f64 * scale + 1e-5
    }

    proptest! {
        #[test]
        fn dot_matches_the_f64_reference((a, b) in vector_pair()) {
            let scale = a.iter().zip(&b).map(|(&x, &y)| (x as f64 * y as f64).abs()).fold(1.0, f64::max);
            prop_assert!((dot(&a, &b) as f64 - reference_dot(&a, &b)).abs() <= tolerance(a.len(), scale));
        }

        #[test]
        fn l2_squared_matches_the_f64_reference((a, b) in vector_pair()) {
            let exact = reference_l2(&a, &b);
            prop_assert!((l2_squared(&a, &b) as f64 - exact).abs() <= tolerance(a.len(), 400.0));
        }

        #[test]
        fn cosine_matches_the_f64_reference((a, b) in vector_pair()) {
            let (na, nb) = (reference_dot(&a, &a).sqrt(), reference_dot(&b, &b).sqrt());
            prop_assume!(na > 1e-3 && nb > 1e-3);
            let exact = reference_dot(&a, &b) / (na * nb);
            prop_assert!((cosine(&a, norm(&a), &b) as f64 - exact).abs() <= 1e-4);
        }

        #[test]
        fn binary_kernels_match_bit_by_bit_counts(
            (a, b) in (1usize..40).prop_flat_map(|n| (prop::collection::vec(any::<u8>(), n), prop::collection::vec(any::<u8>(), n)))
        ) {
            let bits = |f: fn(u8, u8) -> u8| a.iter().zip(&b).map(|(&x, &y)| f(x, y).count_ones()).sum::<u32>();
            prop_assert_eq!(hamming(&a, &b), bits(|x, y| x ^ y) as f32);
            let (inter, union) = (bits(|x, y| x & y), bits(|x, y| x | y));
            let expected = if union == 0 { 0.0 } else { 1.0 - inter as f32 / union as f32 };
            prop_assert_eq!(jaccard(&a, &b), expected);
        }

        #[test]
        fn sparse_dot_matches_a_dense_dot(
            a in prop::collection::btree_map(0u32..64, -5.0f32..5.0, 0..20),
            b in prop::collection::btree_map(0u32..64, -5.0f32..5.0, 0..20),
        ) {
            let (ai, av): (Vec<u32>, Vec<f32>) = a.iter().map(|(&i, &v)| (i, v)).unzip();
            let (bi, bv): (Vec<u32>, Vec<f32>) = b.iter().map(|(&i, &v)| (i, v)).unzip();
            let exact: f64 = a.iter().filter_map(|(i, &x)| b.get(i).map(|&y| x as f64 * y as f64)).sum();
            prop_assert!((sparse_dot(&ai, &av, &bi, &bv) as f64 - exact).abs() <= 1e-3);
        }
    }

    #[test]
    fn cosine_of_a_zero_vector_is_zero() {
        assert_eq!(cosine(&[1.0, 0.0], 1.0, &[0.0, 0.0]), 0.0);
        assert_eq!(cosine(&[0.0, 0.0], 0.0, &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn jaccard_of_two_empty_vectors_is_zero_and_of_disjoint_ones_is_one() {
        assert_eq!(jaccard(&[0, 0], &[0, 0]), 0.0);
        assert_eq!(jaccard(&[0b1010], &[0b0101]), 1.0);
        assert_eq!(jaccard(&[0b1110], &[0b0111]), 0.5);
    }
}
