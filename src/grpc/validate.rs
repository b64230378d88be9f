//! The proxy's checks of an `Insert` or `Upsert`'s columns, with the texts gRPC Milvus answers
//! (`insertTask.PreExecute` in `internal/proxy/task_insert.go`, `checkFieldsDataBySchema` in
//! `internal/proxy/util.go`, `checkAligned` in `internal/proxy/validate_util.go`, Milvus 2.6).
//!
//! REST converts rows in its own handler first (1804 `fail to deal the insert data, error: ...`); a gRPC request
//! reaches the proxy as columns, so these checks run before the columns become REST rows, and the REST conversion
//! behind them only sees columns the proxy would have let through.

use milvus::proto::schema::{self, FieldData, field_data, scalar_field, vector_field};

use crate::catalog::{CollectionSpec, DataType, Field};
use crate::error::Error;
use crate::rows::column::dim_of;

/// The dynamic field's name in Milvus's schema.
const META: &str = "$meta";

/// The checks, in the proxy's order: the row count, column names, the fields each column stands for, then each
/// column's size (`checkAligned`). `insert` is false for an upsert (an autoID key must then be sent).
pub(super) fn check_columns(
    spec: &CollectionSpec,
    fields: &[FieldData],
    num_rows: u32,
    insert: bool,
) -> Result<(), Error> {
    if num_rows == 0 {
        return Err(Error::InvalidParameter(
            "num_rows should be greater than 0: invalid parameter[expected=invalid num_rows][actual=0]".into(),
        ));
    }
    check_names(spec, fields)?;
    check_fields(spec, fields, insert)?;
    let columns = || fields.iter().filter(|f| !is_dynamic(f));
    columns().try_for_each(|f| check_kind(spec, f))?;
    columns().try_for_each(|f| check_aligned(spec, f, num_rows))
}

/// `validateUtil.Validate`'s per-field checks: a vector, VarChar, small integer or JSON column must hold data of
/// its field's kind (`check<Kind>FieldData`, `internal/proxy/validate_util.go`); a scalar field with a default
/// or null may come without data.
fn check_kind(spec: &CollectionSpec, column: &FieldData) -> Result<(), Error> {
    use scalar_field::Data as S;
    use vector_field::Data as V;
    let Some(field) = spec.fields.iter().find(|f| f.name == column.field_name) else { return Ok(()) };
    let vectors = match &column.field {
        Some(field_data::Field::Vectors(v)) => v.data.as_ref(),
        _ => None,
    };
    let scalars = match &column.field {
        Some(field_data::Field::Scalars(s)) => s.data.as_ref(),
        _ => None,
    };
    let optional = field.default_value.is_some() || field.nullable;
    let name = &column.field_name;
    let (fits, message, expected) = match field.data_type {
        DataType::FloatVector => (
            matches!(vectors, Some(V::FloatVector(_))),
            format!("float vector field '{name}' is illegal, array type mismatch"),
            "need float vector",
        ),
        DataType::Float16Vector => (
            matches!(vectors, Some(V::Float16Vector(_))),
            format!("float16 float field '{name}' is illegal, nil Vector_Float16 type"),
            "need vector_float16 array",
        ),
        DataType::BFloat16Vector => (
            matches!(vectors, Some(V::Bfloat16Vector(_))),
            format!("bfloat16 float field '{name}' is illegal, nil Vector_BFloat16 type"),
            "need vector_bfloat16 array",
        ),
        DataType::BinaryVector => (
            matches!(vectors, Some(V::BinaryVector(_))),
            format!("binary float vector field '{name}' is illegal, array type mismatch"),
            "need bytes array",
        ),
        DataType::SparseFloatVector => (
            matches!(vectors, Some(V::SparseFloatVector(_))),
            format!("sparse float field '{name}' is illegal, nil SparseFloatVector"),
            "need sparse float array",
        ),
        DataType::VarChar => (
            optional || matches!(scalars, Some(S::StringData(_))),
            format!("varchar field '{name}' is illegal, array type mismatch"),
            "need string array",
        ),
        DataType::Int8 | DataType::Int16 | DataType::Int32 => (
            optional || matches!(scalars, Some(S::IntData(_))),
            format!("field '{name}' is illegal, array type mismatch"),
            "need int array",
        ),
        DataType::Json => (
            optional || matches!(scalars, Some(S::JsonData(_))),
            format!("json field '{name}' is illegal, array type mismatch"),
            "need json array",
        ),
        _ => (true, String::new(), ""),
    };
    if fits {
        return Ok(());
    }
    Err(Error::InvalidParameter(format!("{message}: invalid parameter[expected={expected}][actual=got nil]")))
}

/// The dynamic column: flagged `is_dynamic` (pymilvus) or named `$meta`.
fn is_dynamic(field: &FieldData) -> bool {
    field.is_dynamic || field.field_name == META
}

/// `checkAndFlattenStructFieldData`: every column names a schema field (the dynamic one aside).
fn check_names(spec: &CollectionSpec, fields: &[FieldData]) -> Result<(), Error> {
    let unknown = fields.iter().filter(|f| !is_dynamic(f)).find(|f| spec.fields.iter().all(|s| s.name != f.field_name));
    match unknown {
        None => Ok(()),
        Some(f) => Err(Error::InvalidParameter(format!(
            "fieldName {} not exist in collection schema, fieldType {}, fieldId {}: invalid parameter",
            f.field_name,
            schema::DataType::try_from(f.r#type).unwrap_or(schema::DataType::None).as_str_name(),
            f.field_id
        ))),
    }
}

/// `checkFieldsDataBySchema`: no column twice, a column for every field that has neither a default nor null (an
/// autoID key on insert and function outputs are generated), and no more columns than fields (the dynamic field
/// counts as one, sent or not).
fn check_fields(spec: &CollectionSpec, fields: &[FieldData], insert: bool) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = fields.iter().map(dynamic_name).find(|name| !seen.insert(*name)) {
        return Err(Error::InvalidParameter(format!("duplicated field {twice} found: invalid parameter")));
    }
    let generated = |f: &Field| (f.primary_key && f.auto_id && insert) || f.function_output;
    let mut filled = 0;
    for field in spec.fields.iter().filter(|f| !seen.contains(f.name.as_str()) && !generated(f)) {
        if field.default_value.is_none() && !field.nullable {
            return Err(Error::InvalidParameter(format!(
                "fieldSchema({}) has no corresponding fieldData pass in: invalid parameter",
                field.name
            )));
        }
        filled += 1;
    }
    let dynamic = usize::from(spec.enable_dynamic_field);
    let added_meta = usize::from(spec.enable_dynamic_field && !fields.iter().any(is_dynamic));
    let expected = spec.fields.len() + dynamic;
    let actual = fields.len() + added_meta + filled + spec.fields.iter().filter(|f| generated(f)).count();
    if expected != actual {
        return Err(Error::InvalidParameter(format!(
            "more fieldData has pass in: invalid parameter[expected={expected}][actual={actual}]"
        )));
    }
    Ok(())
}

fn dynamic_name(field: &FieldData) -> &str {
    if field.is_dynamic { META } else { &field.field_name }
}

/// `checkAligned` for one column: a vector column's size against the schema's `dim`, then its row count.
fn check_aligned(spec: &CollectionSpec, column: &FieldData, num_rows: u32) -> Result<(), Error> {
    let Some(field) = spec.fields.iter().find(|f| f.name == column.field_name) else { return Ok(()) };
    let rows = match &column.field {
        Some(field_data::Field::Vectors(v)) => vector_rows(field, &column.field_name, v)?,
        Some(field_data::Field::Scalars(s)) => scalar_rows(column, s),
        _ => 0,
    };
    if rows != num_rows as usize {
        return Err(rows_mismatch(&column.field_name, rows, num_rows as usize));
    }
    Ok(())
}

/// `the num_rows (<n>) of field (<f>) is not equal to passed num_rows (<m>)`, with its expected and actual.
pub(super) fn rows_mismatch(field: &str, rows: usize, num_rows: usize) -> Error {
    Error::InvalidParameter(format!(
        "the num_rows ({rows}) of field ({field}) is not equal to passed num_rows ({num_rows}): \
         invalid parameter[expected={num_rows}][actual={rows}]"
    ))
}

/// The rows of a vector column, once its size fits the schema's `dim`: a float vector's length must divide by
/// it (a plain error, `funcutil.GetNumRowsOfFloatVectorField`) before its `dim` is compared; the packed kinds
/// compare `dim` first.
fn vector_rows(field: &Field, name: &str, v: &schema::VectorField) -> Result<usize, Error> {
    use vector_field::Data;
    let dim = dim_of(field);
    let dim_mismatch = || {
        Error::InvalidParameter(format!(
            "the dim ({}) of field data({name}) is not equal to schema dim ({dim}): invalid parameter[expected={dim}][actual={}]",
            v.dim, v.dim
        ))
    };
    let packed = |bytes: usize, width: usize| -> Result<usize, Error> {
        if v.dim != dim as i64 {
            return Err(dim_mismatch());
        }
        Ok(bytes / width.max(1))
    };
    match &v.data {
        Some(Data::FloatVector(a)) => {
            let floats = a.data.len();
            if dim == 0 || floats % dim != 0 {
                return Err(Error::Plain(format!("the length({floats}) of float data should divide the dim({dim})")));
            }
            if v.dim != dim as i64 {
                return Err(dim_mismatch());
            }
            Ok(floats / dim)
        }
        Some(Data::BinaryVector(bytes)) => packed(bytes.len(), dim.div_ceil(8)),
        Some(Data::Float16Vector(bytes) | Data::Bfloat16Vector(bytes)) => packed(bytes.len(), dim * 2),
        Some(Data::Int8Vector(bytes)) => packed(bytes.len(), dim),
        Some(Data::SparseFloatVector(a)) => Ok(a.contents.len()),
        Some(Data::VectorArray(a)) => Ok(a.data.len()),
        None => Ok(0),
    }
}

/// The rows of a scalar column: its validity mask when it has one (a nullable column may hold only its valid
/// values), else its values.
fn scalar_rows(column: &FieldData, s: &schema::ScalarField) -> usize {
    use scalar_field::Data;
    let validity = if s.valid_data.is_empty() { &column.valid_data } else { &s.valid_data };
    if !validity.is_empty() {
        return validity.len();
    }
    match &s.data {
        Some(Data::BoolData(a)) => a.data.len(),
        Some(Data::IntData(a)) => a.data.len(),
        Some(Data::LongData(a)) => a.data.len(),
        Some(Data::TimestamptzData(a)) => a.data.len(),
        Some(Data::FloatData(a)) => a.data.len(),
        Some(Data::DoubleData(a)) => a.data.len(),
        Some(Data::StringData(a)) => a.data.len(),
        Some(Data::BytesData(a)) => a.data.len(),
        Some(Data::JsonData(a)) => a.data.len(),
        Some(Data::ArrayData(a)) => a.data.len(),
        Some(Data::GeometryData(a)) => a.data.len(),
        Some(Data::GeometryWktData(a)) => a.data.len(),
        Some(_) | None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use milvus::proto::schema::{FloatArray, LongArray, ScalarField, VectorField};

    fn spec(dynamic: bool) -> CollectionSpec {
        let mut id = Field::new(100, "id", DataType::Int64);
        id.primary_key = true;
        let mut vector = Field::new(101, "vector", DataType::FloatVector);
        vector.params = vec![("dim".into(), "4".into())];
        let mut note = Field::new(102, "note", DataType::VarChar);
        note.nullable = true;
        let mut spec = CollectionSpec::new("c", vec![id, vector, note]);
        spec.enable_dynamic_field = dynamic;
        spec
    }

    fn ids(data: Vec<i64>) -> FieldData {
        FieldData {
            r#type: schema::DataType::Int64 as i32,
            field_name: "id".into(),
            field: Some(field_data::Field::Scalars(ScalarField {
                data: Some(scalar_field::Data::LongData(LongArray { data })),
                ..Default::default()
            })),
            ..Default::default()
        }
    }

    fn floats(dim: i64, data: Vec<f32>) -> FieldData {
        FieldData {
            r#type: schema::DataType::FloatVector as i32,
            field_name: "vector".into(),
            field: Some(field_data::Field::Vectors(VectorField {
                dim,
                data: Some(vector_field::Data::FloatVector(FloatArray { data })),
                ..Default::default()
            })),
            ..Default::default()
        }
    }

    fn reason(result: Result<(), Error>) -> (i64, String) {
        let e = result.unwrap_err();
        (e.code(&Default::default()), e.message(&Default::default()))
    }

    #[test]
    fn the_proxy_s_column_checks_in_its_order() {
        let spec = spec(true);
        assert_eq!(check_columns(&spec, &[ids(vec![1]), floats(4, vec![0.0; 4])], 1, true), Ok(()));
        let zero = "num_rows should be greater than 0: invalid parameter[expected=invalid num_rows][actual=0]";
        assert_eq!(reason(check_columns(&spec, &[], 0, true)), (1100, zero.into()));
        let twice = check_columns(&spec, &[ids(vec![1]), ids(vec![1]), floats(4, vec![0.0; 4])], 1, true);
        assert_eq!(reason(twice), (1100, "duplicated field id found: invalid parameter".into()));
        let missing = "fieldSchema(vector) has no corresponding fieldData pass in: invalid parameter";
        assert_eq!(reason(check_columns(&spec, &[ids(vec![1])], 1, true)), (1100, missing.into()));
        let mut stranger = ids(vec![1]);
        stranger.field_name = "age".into();
        let unknown = "fieldName age not exist in collection schema, fieldType Int64, fieldId 0: invalid parameter";
        let extra = check_columns(&spec, &[ids(vec![1]), floats(4, vec![0.0; 4]), stranger], 1, true);
        assert_eq!(reason(extra), (1100, unknown.into()));
    }

    #[test]
    fn an_autoid_key_sent_on_insert_is_one_field_too_many() {
        let mut spec = spec(false);
        spec.fields[0].auto_id = true;
        let sent = check_columns(&spec, &[ids(vec![1]), floats(4, vec![0.0; 4])], 1, true);
        let text = "more fieldData has pass in: invalid parameter[expected=3][actual=4]";
        assert_eq!(reason(sent), (1100, text.into()));
        // An upsert must send it.
        assert_eq!(check_columns(&spec, &[ids(vec![1]), floats(4, vec![0.0; 4])], 1, false), Ok(()));
        let missing = "fieldSchema(id) has no corresponding fieldData pass in: invalid parameter";
        assert_eq!(reason(check_columns(&spec, &[floats(4, vec![0.0; 4])], 1, false)), (1100, missing.into()));
    }

    #[test]
    fn a_column_must_hold_its_field_s_kind_of_data() {
        let spec = spec(false);
        let mut longs = ids(vec![1]);
        longs.field_name = "vector".into();
        let text = "float vector field 'vector' is illegal, array type mismatch: invalid parameter[expected=need float vector][actual=got nil]";
        assert_eq!(reason(check_columns(&spec, &[ids(vec![1]), longs], 1, true)), (1100, text.into()));
        let mut spec = spec;
        spec.fields[2].nullable = false;
        let mut note = ids(vec![1]);
        note.field_name = "note".into();
        let columns = [ids(vec![1]), floats(4, vec![0.0; 4]), note];
        let text = "varchar field 'note' is illegal, array type mismatch: invalid parameter[expected=need string array][actual=got nil]";
        assert_eq!(reason(check_columns(&spec, &columns, 1, true)), (1100, text.into()));
    }

    #[test]
    fn vector_sizes_and_row_counts_are_checked_as_check_aligned_does() {
        let spec = spec(false);
        let ragged = check_columns(&spec, &[ids(vec![1, 2]), floats(3, vec![0.0; 6])], 2, true);
        assert_eq!(reason(ragged), (65535, "the length(6) of float data should divide the dim(4)".into()));
        let narrow = check_columns(&spec, &[ids(vec![1, 2, 3, 4]), floats(3, vec![0.0; 12])], 4, true);
        let text =
            "the dim (3) of field data(vector) is not equal to schema dim (4): invalid parameter[expected=4][actual=3]";
        assert_eq!(reason(narrow), (1100, text.into()));
        let short = check_columns(&spec, &[ids(vec![1, 2]), floats(4, vec![0.0; 12])], 2, true);
        let text = "the num_rows (3) of field (vector) is not equal to passed num_rows (2): invalid parameter[expected=2][actual=3]";
        assert_eq!(reason(short), (1100, text.into()));
    }
}
