//! Every Milvus error the mock answers, with its code and exact message (contract §5, §6, §8; part 2 §A, §B).
//!
//! Handlers and the catalog return [`Error`] values that say *what* went wrong; [`Error::code`] and
//! [`Error::message`] say how the configured Milvus version words it. The match below is exhaustive, so a new
//! variant cannot forget its code.

pub use crate::go::bind::BindError;
use crate::version::Profile;

/// Which kind of name a collection-name rule is checked for: the texts differ only in this word.
///
/// ```
/// use milvus_mock::error::{Error, NameKind, NameRule};
/// let e = Error::InvalidCollectionName { kind: NameKind::Alias, name: "1a".into(), rule: NameRule::FirstCharacter };
/// assert!(e.message(&Default::default()).starts_with("Invalid collection alias: 1a."));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Collection,
    Alias,
}

impl NameKind {
    fn word(self) -> &'static str {
        match self {
            NameKind::Collection => "name",
            NameKind::Alias => "alias",
        }
    }
}

/// Why a name broke Milvus's naming rules (contract §8).
///
/// ```
/// use milvus_mock::error::{Error, NameRule};
/// let e = Error::InvalidDatabaseName { name: "".into(), rule: NameRule::Empty };
/// assert_eq!(e.message(&Default::default()), "database name couldn't be empty: invalid database name[database=]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    Empty,
    TooLong,
    FirstCharacter,
    OtherCharacter,
}

/// A Milvus error, before it is worded for a version.
///
/// ```
/// use milvus_mock::{Error, Profile};
/// let e = Error::PartitionNotFound { name: "march".into() };
/// assert_eq!((e.code(&Profile::default()), e.message(&Profile::default()).as_str()), (200, "partition not found[partition=march]"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// 1801/1802: a REST body that gin's binding refused (never a domain error: only REST bodies are bound).
    Binding(BindError),
    /// 1802: an `indexParams[].fieldName` that the schema does not define.
    IndexFieldNotInSchema(String),
    /// 1100: a generic `ErrParameterInvalid` with its message prefix already formatted.
    InvalidParameter(String),
    /// 1100: collection or alias name rules.
    InvalidCollectionName { kind: NameKind, name: String, rule: NameRule },
    /// 65535 (1100 in master): partition name rules.
    InvalidPartitionName { name: String, rule: NameRule },
    /// 802: database name rules.
    InvalidDatabaseName { name: String, rule: NameRule },
    /// 800.
    DatabaseNotFound { db: String },
    /// 801.
    DatabaseLimit { limit: usize },
    /// 65535 (1100 in master).
    DatabaseExists { db: String },
    /// 65535 (1100 in master).
    DropDefaultDatabase,
    /// 65535 (1100 in master).
    DatabaseNotEmpty { db: String },
    /// 100, the rootcoord wording.
    CollectionNotFound { db: String, name: String },
    /// 100, the wording without a database (`get_load_state`, `aliases/alter`, `aliases/list`).
    CollectionNotFoundNoDb { name: String },
    /// 100, the wording of `collections/describe`.
    CollectionNotFoundDescribe { db: String, name: String },
    /// 102.
    CollectionLimit { db: String, limit: usize },
    /// 104: a property that cannot change while the collection is loaded.
    AlterMmapLoaded { name: String },
    /// 104: an index property change on a loaded collection.
    AlterIndexLoaded { name: String },
    /// 200.
    PartitionNotFound { name: String },
    /// 65535 (1100 in master).
    PartitionLimit { count: usize, max: usize, collection: String },
    /// 65535 (1100 in master).
    DropLoadedPartition,
    /// 65535.
    DropDefaultPartition,
    /// 65535: partition routes on a partition-key collection; `action` is `create partition`, ...
    PartitionKeyMode { action: &'static str },
    /// 1100: `partitions/release` with `[]`.
    ReleaseEmptyList,
    /// 65535: `partitions/load` with `[]`.
    LoadEmptyList,
    /// 700, collection form (`collections/load`, `partitions/load`, describe's message).
    IndexNotFoundCollection { name: String },
    /// 700, index-name form (`indexes/describe`, ...).
    IndexNotFoundName { index: String },
    /// 65535: `collections/load` when some vector field has no index.
    NoVectorIndexOnFields { fields: Vec<String> },
    /// 65535: `partitions/load` when no vector field has an index.
    NoVectorIndexOnCollection { name: String },
    /// 65535.
    IndexOnMissingField { field: String },
    /// 65535.
    DistinctIndexPerField,
    /// 65535: a second index with another name on a field that has one.
    MultipleIndexesOnField,
    /// 1100.
    InvalidIndexType { index_type: String },
    /// 1100.
    InvalidMetricType { vector_kind: &'static str, metric: String },
    /// 65535.
    DropIndexOfLoadedCollection,
    /// 65535: `create duplicate collection with different parameters`.
    DuplicateCollection { name: String },
    /// 65535: a new collection's name is an existing alias.
    CollectionNameIsAlias { name: String },
    /// 65535.
    DropViaAlias { alias: String },
    /// 65535 (2.6+).
    CollectionHasAliases { name: String, aliases: Vec<String> },
    /// 65535.
    RenameDuplicate { db: String, name: String },
    /// 65535.
    RenameTargetDatabaseMissing { db: String },
    /// 65535.
    RenameFromAlias { alias: String },
    /// 65535.
    RenameToAlias { alias: String },
    /// 1600.
    AliasNotFound { db: String, alias: String },
    /// 1601.
    AliasCollectionConflict { db: String, alias: String },
    /// 1602.
    AliasExists { db: String, alias: String, collection: String },
    /// 101: gRPC `GetLoadingProgress` of a collection that is not loaded (the collection's id).
    ProgressCollectionNotLoaded { id: i64 },
    /// 202: gRPC `GetLoadingProgress` of a partition that is not loaded (the partition's id).
    ProgressPartitionNotLoaded { id: i64 },
    /// 101: a read (`action` is `search` or `query`) on a collection that is not loaded.
    CollectionNotLoaded { action: &'static str, id: i64 },
    /// 103: a read on a collection whose load is still in progress.
    CollectionNotFullyLoaded { action: &'static str, id: i64 },
    /// 201: a read naming partitions that are not loaded.
    PartitionNotLoaded { action: &'static str, ids: Vec<i64> },
    /// 1804: REST's row conversion (`fail to deal the insert data, error: <detail>`).
    InsertData(String),
    /// 1806: an `entities/get` id of the wrong type.
    CheckPrimaryKey(String),
    /// 1700: a field that the schema lacks (`groupingField`).
    FieldNotFound { detail: String, field: String },
    /// 2000: a query node's segcore error (`<detail>: segcore error`), such as a query vector of the wrong size.
    Segcore(String),
    /// 65535: any other plain Go error (`errors.New`, `fmt.Errorf`), with its text.
    Plain(String),
}

/// The catch-all code of plain Go errors (`merr`'s `errUnexpected`).
///
/// ```
/// let e = milvus_mock::Error::DropDefaultPartition;
/// assert_eq!(e.code(&Default::default()), milvus_mock::error::UNEXPECTED);
/// ```
pub const UNEXPECTED: i64 = 65535;

impl Error {
    /// 1801 with `can only accept json format request, error: <m>`: what REST handlers answer for a body whose
    /// shape their own checks refuse after binding (a vector field that is not there, a row that does not convert).
    pub(crate) fn bad_json(m: impl Into<String>) -> Error {
        Error::Binding(BindError::BadJson(m.into()))
    }

    /// The `code` of the answer under `profile`.
    ///
    /// ```
    /// use milvus_mock::{Error, MilvusVersion, Profile};
    /// let e = Error::DropLoadedPartition;
    /// assert_eq!(e.code(&Profile::new(MilvusVersion::V2_6)), 65535);
    /// assert_eq!(e.code(&Profile::new(MilvusVersion::V3_0)), 1100);
    /// ```
    pub fn code(&self, profile: &Profile) -> i64 {
        use Error::*;
        let plain_or_invalid = if profile.parameter_invalid_errors { 1100 } else { UNEXPECTED };
        match self {
            Binding(e) => e.code(),
            IndexFieldNotInSchema(_) => 1802,
            InvalidParameter(_) | InvalidCollectionName { .. } | ReleaseEmptyList => 1100,
            InvalidIndexType { .. } | InvalidMetricType { .. } => 1100,
            InvalidPartitionName { .. } | PartitionLimit { .. } | DropLoadedPartition => plain_or_invalid,
            DatabaseExists { .. } | DropDefaultDatabase | DatabaseNotEmpty { .. } => plain_or_invalid,
            InvalidDatabaseName { .. } => 802,
            DatabaseNotFound { .. } => 800,
            DatabaseLimit { .. } => 801,
            CollectionNotFound { .. } | CollectionNotFoundNoDb { .. } | CollectionNotFoundDescribe { .. } => 100,
            CollectionLimit { .. } => 102,
            ProgressCollectionNotLoaded { .. } => 101,
            ProgressPartitionNotLoaded { .. } => 202,
            AlterMmapLoaded { .. } | AlterIndexLoaded { .. } => 104,
            PartitionNotFound { .. } => 200,
            IndexNotFoundCollection { .. } | IndexNotFoundName { .. } => 700,
            AliasNotFound { .. } => 1600,
            AliasCollectionConflict { .. } => 1601,
            AliasExists { .. } => 1602,
            CollectionNotLoaded { .. } => 101,
            CollectionNotFullyLoaded { .. } => 103,
            PartitionNotLoaded { .. } => 201,
            InsertData(_) => 1804,
            CheckPrimaryKey(_) => 1806,
            FieldNotFound { .. } => 1700,
            Segcore(_) => 2000,
            DropDefaultPartition
            | PartitionKeyMode { .. }
            | LoadEmptyList
            | NoVectorIndexOnFields { .. }
            | NoVectorIndexOnCollection { .. }
            | IndexOnMissingField { .. }
            | DistinctIndexPerField
            | MultipleIndexesOnField
            | DropIndexOfLoadedCollection
            | DuplicateCollection { .. }
            | CollectionNameIsAlias { .. }
            | DropViaAlias { .. }
            | CollectionHasAliases { .. }
            | RenameDuplicate { .. }
            | RenameTargetDatabaseMissing { .. }
            | RenameFromAlias { .. }
            | RenameToAlias { .. }
            | Plain(_) => UNEXPECTED,
        }
    }

    /// The `message` of the answer under `profile`.
    ///
    /// ```
    /// let e = milvus_mock::Error::ReleaseEmptyList;
    /// assert_eq!(e.message(&Default::default()), "invalid parameter[expected=any partition][actual=empty partition list]");
    /// ```
    pub fn message(&self, profile: &Profile) -> String {
        use Error::*;
        // Master wraps these as ErrParameterInvalid, which appends the merr text.
        let invalid_suffix = if profile.parameter_invalid_errors { ": invalid parameter" } else { "" };
        match self {
            Binding(e) => e.message(),
            IndexFieldNotInSchema(f) => format!("missing required parameters, error: `{f}` hasn't defined in schema"),
            InvalidParameter(m) => m.clone(),
            InvalidCollectionName { kind, name, rule } => collection_name_message(*kind, name, *rule),
            InvalidPartitionName { name, rule } => {
                let reason = match rule {
                    NameRule::Empty => "Partition name should not be empty.",
                    NameRule::TooLong => "The length of a partition name must be less than 255 characters.",
                    NameRule::FirstCharacter => {
                        "The first character of a partition name must be an underscore or letter."
                    }
                    NameRule::OtherCharacter => "Partition name can only contain numbers, letters and underscores.",
                };
                format!("Invalid partition name: {name}. {reason}{invalid_suffix}")
            }
            InvalidDatabaseName { name, rule } => {
                let reason = match rule {
                    NameRule::Empty => "database name couldn't be empty",
                    NameRule::TooLong => "the length of a database name must be less than 255 characters",
                    NameRule::FirstCharacter => {
                        "the first character of a database name must be an underscore or letter"
                    }
                    NameRule::OtherCharacter => "database name can only contain numbers, letters and underscores",
                };
                format!("{reason}: invalid database name[database={name}]")
            }
            DatabaseNotFound { db } => format!("database not found[database={db}]"),
            DatabaseLimit { limit } => format!("exceeded the limit number of database[limit={limit}]"),
            DatabaseExists { db } => format!("database already exist: {db}{invalid_suffix}"),
            DropDefaultDatabase => format!("can not drop default database{invalid_suffix}"),
            DatabaseNotEmpty { db } => {
                format!("database:{db} not empty, must drop all collections before drop database{invalid_suffix}")
            }
            CollectionNotFound { db, name } => format!("collection not found[database={db}][collection={name}]"),
            CollectionNotFoundNoDb { name } => format!("collection not found[collection={name}]"),
            CollectionNotFoundDescribe { db, name } => {
                format!("can't find collection[database={db}][collection={name}]")
            }
            CollectionLimit { db, limit } => {
                format!("exceeded the limit number of collections[dbName={db}][limit={limit}]")
            }
            AlterMmapLoaded { name } => format!(
                "can not alter mmap properties if collection loaded: collection already loaded[collection={name}]"
            ),
            AlterIndexLoaded { name } => format!(
                "can't alter index on loaded collection, please release the collection first: \
                 collection already loaded[collection={name}]"
            ),
            PartitionNotFound { name } => format!("partition not found[partition={name}]"),
            ProgressCollectionNotLoaded { id } => format!("collection not loaded[collection={id}]"),
            ProgressPartitionNotLoaded { id } => format!("partition not loaded[partition={id}]"),
            PartitionLimit { count, max, collection } => format!(
                "partition number ({count}) exceeds max configuration ({max}), collection: {collection}{invalid_suffix}"
            ),
            DropLoadedPartition => {
                format!("partition cannot be dropped, partition is loaded, please release it first{invalid_suffix}")
            }
            DropDefaultPartition => "default partition cannot be deleted".into(),
            PartitionKeyMode { action } => format!("disable {action} if partition key mode is used"),
            ReleaseEmptyList => {
                format!("invalid parameter[expected={}][actual=empty partition list]", profile.release_empty_expected)
            }
            LoadEmptyList => "failed to load partition, due to no partition specified".into(),
            IndexNotFoundCollection { name } => format!("index not found[collection={name}]"),
            IndexNotFoundName { index } => format!("index not found[indexName={index}]"),
            NoVectorIndexOnFields { fields } => {
                format!("there is no vector index on field: [{}], please create index firstly", fields.join(" "))
            }
            NoVectorIndexOnCollection { name } => {
                format!("there is no vector index on collection: {name}, please create index firstly")
            }
            IndexOnMissingField { field } => format!("cannot create index on non-exist field: {field}"),
            DistinctIndexPerField => "CreateIndex failed: at most one distinct index is allowed per field".into(),
            MultipleIndexesOnField => {
                "CreateIndex failed: creating multiple indexes on same field is not supported".into()
            }
            InvalidIndexType { index_type } => {
                format!("invalid parameter[expected=valid index][actual=invalid index type: {index_type}]")
            }
            InvalidMetricType { vector_kind, metric } => format!(
                "{vector_kind} index does not support metric type: {metric}: \
                 invalid parameter[expected=valid index params][actual=invalid index params]"
            ),
            DropIndexOfLoadedCollection => {
                "index cannot be dropped, collection is loaded, please release it first".into()
            }
            DuplicateCollection { name } => {
                format!("create duplicate collection with different parameters, collection: {name}")
            }
            CollectionNameIsAlias { name } => {
                format!("collection name [{name}] conflicts with an existing alias, please choose a unique name")
            }
            DropViaAlias { alias } => format!("cannot drop the collection via alias = {alias}"),
            CollectionHasAliases { name, aliases } => format!(
                "unable to drop the collection [{name}] because it has associated aliases [{}], \
                 please remove all aliases before dropping the collection",
                aliases.join(" ")
            ),
            RenameDuplicate { db, name } => {
                format!("duplicated new collection name {db}:{name} with other collection name or alias")
            }
            RenameTargetDatabaseMissing { db } => format!("target database:{db} not found"),
            RenameFromAlias { alias } => format!("unsupported use an alias to rename collection, alias:{alias}"),
            RenameToAlias { alias } => format!("cannot rename collection to an existing alias: {alias}"),
            AliasNotFound { db, alias } => format!("alias not found[database={db}][alias={alias}]"),
            AliasCollectionConflict { db, alias } => {
                format!("alias and collection name conflict[database={db}][alias={alias}]")
            }
            AliasExists { db, alias, collection } => {
                format!(
                    "{alias} is alias to another collection: {collection}: alias already exist[database={db}][alias={alias}]"
                )
            }
            CollectionNotLoaded { action, id } => format!("failed to {action}: collection not loaded[collection={id}]"),
            CollectionNotFullyLoaded { action, id } => {
                format!("failed to {action}: collection not fully loaded[collection={id}]")
            }
            PartitionNotLoaded { action, ids } => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!("failed to {action}: partition not loaded[partition=[{}]]", ids.join(" "))
            }
            InsertData(detail) => format!("fail to deal the insert data, error: {detail}"),
            CheckPrimaryKey(detail) => {
                format!("please check the primary key and its' type can only in [int, string], error: {detail}")
            }
            FieldNotFound { detail, field } => format!("{detail}: field not found[field={field}]"),
            Segcore(detail) => format!("{detail}: segcore error"),
            Plain(m) => m.clone(),
        }
    }
}

fn collection_name_message(kind: NameKind, name: &str, rule: NameRule) -> String {
    let word = kind.word();
    let what = match kind {
        NameKind::Collection => "collection name",
        NameKind::Alias => "collection alias",
    };
    match rule {
        NameRule::Empty => format!("{what} should not be empty: invalid parameter"),
        NameRule::TooLong => format!(
            "Invalid collection {word}: {name}.  the length of a {what} must be less than 255 characters: invalid parameter"
        ),
        NameRule::FirstCharacter => format!(
            "Invalid collection {word}: {name}.  the first character of a {what} must be an underscore or letter: invalid parameter"
        ),
        NameRule::OtherCharacter => format!(
            "Invalid collection {word}: {name}.  {what} can only contain numbers, letters and underscores: invalid parameter"
        ),
    }
}

/// The deprecated `common.ErrorCode` that gRPC answers carry beside `code` (Milvus's `oldCode` in
/// `pkg/util/merr/utils.go`): pymilvus shows it as `compatible_code`, and old SDKs still branch on it. Values are
/// those of `common.proto`; only the codes the mock answers are listed, everything else is `UnexpectedError`.
///
/// ```
/// use milvus_mock::error::LegacyErrorCode;
/// assert_eq!(LegacyErrorCode::for_code(100), LegacyErrorCode::CollectionNotExists);
/// assert_eq!(LegacyErrorCode::for_code(200) as i32, 15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyErrorCode {
    Success = 0,
    UnexpectedError = 1,
    CollectionNotExists = 4,
    IllegalArgument = 5,
    /// Partition (200) and replica (400) not found share it.
    MetaFailed = 15,
    IndexNotExist = 25,
}

impl LegacyErrorCode {
    /// `oldCode(code)`: Milvus 2.6 lists 100 before the case that also names it, so 100 keeps CollectionNotExists.
    pub fn for_code(code: i64) -> Self {
        match code {
            0 => Self::Success,
            100 => Self::CollectionNotExists,
            1100 => Self::IllegalArgument,
            200 | 400 => Self::MetaFailed,
            700 => Self::IndexNotExist,
            _ => Self::UnexpectedError,
        }
    }
}

impl Error {
    /// The legacy gRPC `error_code` of this error under `profile` (see [`LegacyErrorCode`]).
    ///
    /// ```
    /// use milvus_mock::{Error, error::LegacyErrorCode};
    /// let e = Error::PartitionNotFound { name: "march".into() };
    /// assert_eq!(e.legacy_code(&Default::default()), LegacyErrorCode::MetaFailed);
    /// ```
    pub fn legacy_code(&self, profile: &Profile) -> LegacyErrorCode {
        LegacyErrorCode::for_code(self.code(profile))
    }
}

/// The message as the default version (Milvus 2.6) words it; use [`Error::message`] for another version.
///
/// ```
/// let e = milvus_mock::Error::PartitionNotFound { name: "march".into() };
/// assert_eq!(e.to_string(), "partition not found[partition=march]");
/// ```
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(&Profile::default()))
    }
}

impl std::error::Error for Error {}

/// The result type of the catalog and the handlers.
///
/// ```
/// fn release(catalog: &milvus_mock::Catalog) -> milvus_mock::error::Result<()> {
///     catalog.release_collection("default", "quick_setup")
/// }
/// # let catalog = milvus_mock::Catalog::new(Default::default(), Default::default(), Default::default());
/// assert_eq!(release(&catalog).unwrap_err().code(catalog.profile()), 100);
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::MilvusVersion;

    #[test]
    fn legacy_codes_follow_milvus_old_code_table() {
        use LegacyErrorCode::*;
        let table = [
            (0, Success),
            (100, CollectionNotExists),
            (200, MetaFailed),
            (700, IndexNotExist),
            (1100, IllegalArgument),
        ];
        for (code, legacy) in table {
            assert_eq!(LegacyErrorCode::for_code(code), legacy, "code {code}");
        }
        for code in [101, 102, 104, 800, 801, 802, 1600, 1601, 1602, 1801, 1802, UNEXPECTED] {
            assert_eq!(LegacyErrorCode::for_code(code), UnexpectedError, "code {code}");
        }
        let master = Profile::new(MilvusVersion::V3_0);
        assert_eq!(Error::DropLoadedPartition.legacy_code(&master), IllegalArgument);
        assert_eq!(Error::DropLoadedPartition.legacy_code(&Profile::default()), UnexpectedError);
    }

    #[test]
    fn collection_name_messages_have_two_spaces_after_the_name() {
        let e = Error::InvalidCollectionName {
            kind: NameKind::Collection,
            name: "1abc".into(),
            rule: NameRule::FirstCharacter,
        };
        assert_eq!(e.code(&Profile::default()), 1100);
        assert_eq!(
            e.message(&Profile::default()),
            "Invalid collection name: 1abc.  the first character of a collection name must be an underscore or letter: invalid parameter"
        );
    }

    #[test]
    fn master_turns_plain_partition_errors_into_invalid_parameter() {
        let e = Error::InvalidPartitionName { name: "a$".into(), rule: NameRule::OtherCharacter };
        let v26 = Profile::default();
        let v30 = Profile::new(MilvusVersion::V3_0);
        assert_eq!(e.code(&v26), 65535);
        assert_eq!(
            e.message(&v26),
            "Invalid partition name: a$. Partition name can only contain numbers, letters and underscores."
        );
        assert_eq!(e.code(&v30), 1100);
        assert!(e.message(&v30).ends_with("underscores.: invalid parameter"));
    }

    #[test]
    fn the_empty_release_list_text_has_the_typo_in_2_4() {
        let e = Error::ReleaseEmptyList;
        assert_eq!(
            e.message(&Profile::new(MilvusVersion::V2_4)),
            "invalid parameter[expected=any parttiion][actual=empty partition list]"
        );
    }
}
