//! BM25 full-text search: the scores of a collection's `BM25` function (a VarChar input field, a sparse output field
//! indexed with metric `BM25`), computed from the texts themselves.
//!
//! Milvus tokenises every text with the field's analyzer and keeps its term frequencies as the output field's
//! sparse vector (`internal/util/function/bm25_function.go`). A text query becomes the same kind of vector, which the
//! query node weighs with each term's IDF over the collection (`idfOracle`), and knowhere scores each document:
//!
//! score(q, d) = Σ over the query's terms t: q_t · ln(1 + (N − df_t + 0.5) / (df_t + 0.5)) · tf_{t,d} · (k1 + 1) /
//! (tf_{t,d} + k1 · (1 − b + b · |d| / avgdl))
//!
//! with N documents, df_t of them holding t, |d| the document's token count and avgdl the mean. This module turns
//! both sides into sparse vectors whose inner product is that score ([`Corpus::query`], [`Corpus::document`]), so
//! the ordinary sparse inner-product scan ranks them.
//!
//! Fidelity limits: the analyzer is approximated by Milvus's default (`standard`: words of letters and digits,
//! lower-cased; `analyzer_params` are not read); the statistics cover the rows the search reads (live rows of the
//! searched partitions), where Milvus counts the loaded segments, deleted rows included until compaction; terms are
//! told apart by a 32-bit FNV-1a hash where Milvus uses its own hash (collisions aside, the same thing). Scores agree
//! with Milvus's to float rounding, not to the last bit (UNCONFIRMED).
//!
//! ```
//! use milvus_mock::search::{Corpus, term_frequencies};
//! let docs: Vec<_> = ["the quick fox", "the lazy dog"].iter().map(|t| term_frequencies(t)).collect();
//! let corpus = Corpus::new(docs.iter());
//! let query = corpus.query("Fox!");
//! let score = |d: &milvus_mock::search::SparseVector| {
//!     let doc = corpus.document(d, 1.2, 0.75);
//!     query.indices.iter().zip(&query.values)
//!         .filter_map(|(t, q)| doc.indices.iter().position(|i| i == t).map(|at| q * doc.values[at]))
//!         .sum::<f32>()
//! };
//! assert!(score(&docs[0]) > 0.0);
//! assert_eq!(score(&docs[1]), 0.0);
//! ```

use std::collections::HashMap;

use super::SparseVector;

/// BM25's `k1` when the index does not set `bm25_k1` (knowhere's default).
pub const DEFAULT_K1: f32 = 1.2;
/// BM25's `b` when the index does not set `bm25_b` (knowhere's default).
pub const DEFAULT_B: f32 = 0.75;

/// The words of a text as the `standard` analyzer yields them: runs of letters and digits, lower-cased.
///
/// ```
/// assert_eq!(milvus_mock::search::tokenize("Hello, WORLD-2024!"), ["hello", "world", "2024"]);
/// ```
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// A text's term frequencies as a sparse vector: one index per distinct term (its hash), the count as value.
pub fn term_frequencies(text: &str) -> SparseVector {
    let mut counts: HashMap<u32, f32> = HashMap::new();
    for word in tokenize(text) {
        *counts.entry(term_id(&word)).or_insert(0.0) += 1.0;
    }
    let (indices, values) = counts.into_iter().unzip();
    SparseVector::new(indices, values)
}

/// A term's index in the sparse vectors: 32-bit FNV-1a of its bytes.
fn term_id(term: &str) -> u32 {
    term.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// The statistics BM25 needs over the documents searched: how many, their mean length, and each term's document
/// frequency.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    docs: usize,
    avgdl: f32,
    df: HashMap<u32, usize>,
}

impl Corpus {
    /// The statistics of these documents (their term frequencies).
    pub fn new<'a>(docs: impl IntoIterator<Item = &'a SparseVector>) -> Self {
        let mut corpus = Corpus::default();
        let mut tokens = 0.0f64;
        for doc in docs {
            corpus.docs += 1;
            tokens += doc.values.iter().map(|&v| f64::from(v)).sum::<f64>();
            for &term in &doc.indices {
                *corpus.df.entry(term).or_insert(0) += 1;
            }
        }
        if corpus.docs > 0 {
            corpus.avgdl = (tokens / corpus.docs as f64) as f32;
        }
        corpus
    }

    /// A text query as a sparse vector: each term's count in the query times its IDF.
    pub fn query(&self, text: &str) -> SparseVector {
        let mut query = term_frequencies(text);
        for (term, value) in query.indices.iter().zip(query.values.iter_mut()) {
            *value *= self.idf(*term);
        }
        query
    }

    /// A document's sparse vector for scoring: each term's saturated, length-normalised frequency.
    pub fn document(&self, tf: &SparseVector, k1: f32, b: f32) -> SparseVector {
        let length: f32 = tf.values.iter().sum();
        let norm = if self.avgdl > 0.0 { 1.0 - b + b * length / self.avgdl } else { 1.0 };
        let values = tf.values.iter().map(|&f| f * (k1 + 1.0) / (f + k1 * norm)).collect();
        SparseVector { indices: tf.indices.clone(), values }
    }

    /// ln(1 + (N − df + 0.5) / (df + 0.5)), computed in f64 and kept as f32.
    fn idf(&self, term: u32) -> f32 {
        let df = self.df.get(&term).copied().unwrap_or(0) as f64;
        (1.0 + (self.docs as f64 - df + 0.5) / (df + 0.5)).ln() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_frequencies_count_repeated_words_case_insensitively() {
        let tf = term_frequencies("Apple apple pear");
        let mut values = tf.values.clone();
        values.sort_by(f32::total_cmp);
        assert_eq!(values, [1.0, 2.0]);
        assert!(term_frequencies("").indices.is_empty());
    }

    #[test]
    fn the_score_is_okapi_bm25_with_lucene_idf() {
        let texts = ["apple pear", "apple", "kiwi kiwi kiwi banana"];
        let docs: Vec<SparseVector> = texts.iter().map(|t| term_frequencies(t)).collect();
        let corpus = Corpus::new(docs.iter());
        let query = corpus.query("apple");
        let doc = corpus.document(&docs[1], DEFAULT_K1, DEFAULT_B);
        // N = 3, df(apple) = 2, |d| = 1, avgdl = 7/3.
        let idf = (1.0f64 + (3.0 - 2.0 + 0.5) / (2.0 + 0.5)).ln() as f32;
        let norm = 1.0 - 0.75 + 0.75 * 1.0 / (7.0f32 / 3.0);
        let expected = idf * (1.0 * 2.2 / (1.0 + 1.2 * norm));
        assert_eq!(query.values, [idf]);
        assert_eq!(doc.indices, query.indices);
        assert!((query.values[0] * doc.values[0] - expected).abs() < 1e-6);
    }

    #[test]
    fn an_unknown_term_still_has_a_positive_idf() {
        let docs = [term_frequencies("a b")];
        let corpus = Corpus::new(docs.iter());
        assert!(corpus.query("zzz").values[0] > 0.0);
        assert_eq!(Corpus::default().document(&docs[0], 1.2, 0.75).values, [1.0, 1.0]);
    }
}
