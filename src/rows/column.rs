//! One field's values in one partition, stored by type: numbers in typed vectors, each vector field contiguous
//! (row-major `Vec<f32>`, so a scan reads memory in order), JSON and Array values as `serde_json::Value`, and an
//! optional validity mask for nullable fields.

use serde_json::Value;

use crate::catalog::{DataType, Field};

pub use crate::search::SparseVector;

/// A field's values, by storage type.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Bool(Vec<bool>),
    Int8(Vec<i8>),
    Int16(Vec<i16>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    /// VarChar, String and Text.
    Str(Vec<String>),
    /// JSON, Array and any other type kept as a JSON value.
    Json(Vec<Value>),
    /// `dim` floats per row.
    FloatVector {
        dim: usize,
        data: Vec<f32>,
    },
    /// Float16, BFloat16 and Int8 vectors: `dim` floats per row for search, and the bytes as sent for rendering
    /// (`bytes_per_row` each).
    PackedVector {
        dim: usize,
        data: Vec<f32>,
        raw: Vec<u8>,
        bytes_per_row: usize,
    },
    /// `dim` bits per row, `dim / 8` bytes.
    BinaryVector {
        dim: usize,
        data: Vec<u8>,
    },
    Sparse(Vec<SparseVector>),
}

/// One value on its way into a column (what the row conversion produces).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Json(Value),
    FloatVector(Vec<f32>),
    /// The floats for search and the bytes to render.
    PackedVector(Vec<f32>, Vec<u8>),
    BinaryVector(Vec<u8>),
    Sparse(SparseVector),
}

/// A field's column: its values and, for a nullable field, which rows hold one.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub values: Values,
    /// `None` for a field that is not nullable; otherwise one flag per row.
    pub valid: Option<Vec<bool>>,
}

/// The `dim` type param of a vector field (0 when absent or not a number).
pub fn dim_of(field: &Field) -> usize {
    field.params.iter().find(|(k, _)| k == "dim").and_then(|(_, v)| v.parse().ok()).unwrap_or(0)
}

impl Column {
    /// An empty column for a field.
    pub fn for_field(field: &Field) -> Self {
        let dim = dim_of(field);
        let values = match field.data_type {
            DataType::Bool => Values::Bool(Vec::new()),
            DataType::Int8 => Values::Int8(Vec::new()),
            DataType::Int16 => Values::Int16(Vec::new()),
            DataType::Int32 => Values::Int32(Vec::new()),
            DataType::Int64 | DataType::Timestamptz => Values::Int64(Vec::new()),
            DataType::Float => Values::Float(Vec::new()),
            DataType::Double => Values::Double(Vec::new()),
            DataType::VarChar | DataType::String | DataType::Text => Values::Str(Vec::new()),
            DataType::FloatVector => Values::FloatVector { dim, data: Vec::new() },
            DataType::Float16Vector | DataType::BFloat16Vector => {
                Values::PackedVector { dim, data: Vec::new(), raw: Vec::new(), bytes_per_row: dim * 2 }
            }
            DataType::Int8Vector => Values::PackedVector { dim, data: Vec::new(), raw: Vec::new(), bytes_per_row: dim },
            DataType::BinaryVector => Values::BinaryVector { dim, data: Vec::new() },
            DataType::SparseFloatVector => Values::Sparse(Vec::new()),
            _ => Values::Json(Vec::new()),
        };
        Self { values, valid: field.nullable.then(Vec::new) }
    }

    /// Appends one value; the row conversion has already checked its type and size. `Null` stores the type's
    /// zero with a cleared validity flag.
    pub fn push(&mut self, cell: Cell) {
        if let Some(valid) = &mut self.valid {
            valid.push(cell != Cell::Null);
        }
        match (&mut self.values, cell) {
            (Values::Bool(v), Cell::Bool(b)) => v.push(b),
            (Values::Int8(v), Cell::Int(i)) => v.push(i as i8),
            (Values::Int16(v), Cell::Int(i)) => v.push(i as i16),
            (Values::Int32(v), Cell::Int(i)) => v.push(i as i32),
            (Values::Int64(v), Cell::Int(i)) => v.push(i),
            (Values::Float(v), Cell::Float(f)) => v.push(f as f32),
            (Values::Double(v), Cell::Float(f)) => v.push(f),
            (Values::Str(v), Cell::Str(s)) => v.push(s),
            (Values::Json(v), Cell::Json(j)) => v.push(j),
            (Values::FloatVector { data, .. }, Cell::FloatVector(f)) => data.extend_from_slice(&f),
            (Values::PackedVector { data, raw, .. }, Cell::PackedVector(f, bytes)) => {
                data.extend_from_slice(&f);
                raw.extend_from_slice(&bytes);
            }
            (Values::BinaryVector { data, .. }, Cell::BinaryVector(bytes)) => data.extend_from_slice(&bytes),
            (Values::Sparse(v), Cell::Sparse(s)) => v.push(s),
            (values, _) => values.push_zero(),
        }
    }

    /// Whether row `i` holds a value (not null).
    pub fn is_valid(&self, i: usize) -> bool {
        self.valid.as_ref().is_none_or(|v| v[i])
    }

    /// Keeps only the rows whose flag is set (compaction).
    pub fn retain(&mut self, keep: &[bool]) {
        if let Some(valid) = &mut self.valid {
            retain_by(valid, keep);
        }
        self.values.retain(keep);
    }
}

/// Keeps the items whose flag is set.
pub(crate) fn retain_by<T>(items: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Keeps the fixed-size chunks whose flag is set.
fn retain_chunks<T: Copy>(items: &mut Vec<T>, width: usize, keep: &[bool]) {
    if width == 0 {
        return;
    }
    let mut out = 0;
    for (row, &k) in keep.iter().enumerate() {
        if k {
            items.copy_within(row * width..(row + 1) * width, out * width);
            out += 1;
        }
    }
    items.truncate(out * width);
}

impl Values {
    /// Appends the type's zero (a null row of a nullable field).
    fn push_zero(&mut self) {
        match self {
            Values::Bool(v) => v.push(false),
            Values::Int8(v) => v.push(0),
            Values::Int16(v) => v.push(0),
            Values::Int32(v) => v.push(0),
            Values::Int64(v) => v.push(0),
            Values::Float(v) => v.push(0.0),
            Values::Double(v) => v.push(0.0),
            Values::Str(v) => v.push(String::new()),
            Values::Json(v) => v.push(Value::Null),
            Values::FloatVector { dim, data } => data.resize(data.len() + *dim, 0.0),
            Values::PackedVector { dim, data, raw, bytes_per_row } => {
                data.resize(data.len() + *dim, 0.0);
                raw.resize(raw.len() + *bytes_per_row, 0);
            }
            Values::BinaryVector { dim, data } => data.resize(data.len() + dim.div_ceil(8), 0),
            Values::Sparse(v) => v.push(SparseVector::default()),
        }
    }

    fn retain(&mut self, keep: &[bool]) {
        match self {
            Values::Bool(v) => retain_by(v, keep),
            Values::Int8(v) => retain_by(v, keep),
            Values::Int16(v) => retain_by(v, keep),
            Values::Int32(v) => retain_by(v, keep),
            Values::Int64(v) => retain_by(v, keep),
            Values::Float(v) => retain_by(v, keep),
            Values::Double(v) => retain_by(v, keep),
            Values::Str(v) => retain_by(v, keep),
            Values::Json(v) => retain_by(v, keep),
            Values::Sparse(v) => retain_by(v, keep),
            Values::FloatVector { dim, data } => retain_chunks(data, *dim, keep),
            Values::PackedVector { dim, data, raw, bytes_per_row } => {
                retain_chunks(data, *dim, keep);
                retain_chunks(raw, *bytes_per_row, keep);
            }
            Values::BinaryVector { dim, data } => retain_chunks(data, dim.div_ceil(8), keep),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nullable_column_keeps_a_flag_per_row_and_compaction_keeps_rows_in_order() {
        let mut field = Field::new(100, "age", DataType::Int32);
        field.nullable = true;
        let mut column = Column::for_field(&field);
        for cell in [Cell::Int(1), Cell::Null, Cell::Int(3)] {
            column.push(cell);
        }
        assert_eq!(column.values, Values::Int32(vec![1, 0, 3]));
        assert!(column.is_valid(0) && !column.is_valid(1));
        column.retain(&[false, true, true]);
        assert_eq!((column.values, column.valid), (Values::Int32(vec![0, 3]), Some(vec![false, true])));
    }

    #[test]
    fn vectors_are_stored_row_major_and_compacted_by_rows() {
        let mut field = Field::new(101, "v", DataType::FloatVector);
        field.params.push(("dim".into(), "2".into()));
        let mut column = Column::for_field(&field);
        column.push(Cell::FloatVector(vec![1.0, 2.0]));
        column.push(Cell::FloatVector(vec![3.0, 4.0]));
        column.retain(&[false, true]);
        assert_eq!(column.values, Values::FloatVector { dim: 2, data: vec![3.0, 4.0] });
    }
}
