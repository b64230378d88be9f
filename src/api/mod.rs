//! The Milvus routes: one module per URL segment, each with its request types next to its handlers.
//!
//! A handler is a plain function `fn(&Catalog, db, request) -> Result<Reply>`: `route` wraps it with the body
//! binding and the `dbName` resolution every Milvus route shares, and [`routes`] lists the routes the configured
//! Milvus version has.

/// Declares a request body type as Milvus's Go struct has it: the fields in declaration order, the JSON key each
/// is read from (with Go's decoding rules, see [`GoObject`](crate::go::json::GoObject)), the fields tagged
/// `binding:"required"` with the Go name the validator prints, and the field `dbName` is read from, if any.
///
/// A declaration that starts with `fast` (allowed when every field is a `String` or an `Option<Vec<String>>`) also
/// gets [`MilvusRequest::fast`]: a serde decoder of the plain case (exact keys, each at most once, values of the
/// field's own JSON type, nothing else in the object). Whatever it refuses goes through the Go-compatible path, so
/// answers do not change; it only makes the usual body cheap.
macro_rules! request {
    (
        fast
        $(#[$doc:meta])*
        $name:ident($go:literal) $(db = $db:ident)? {
            $($field:ident: $ty:ty = $read:ident($key:literal) $(, required $gofield:literal)?;)*
        }
    ) => {
        request! {
            @declare [fast]
            $(#[$doc])*
            $name($go) $(db = $db)? { $($field: $ty = $read($key) $(, required $gofield)?;)* }
        }

        impl $name {
            /// The plain case with serde; `None` when the body is anything else.
            fn plain(body: &[u8]) -> Option<Self> {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Plain {
                    $(#[serde(rename = $key, default)] $field: <$ty as $crate::api::PlainField>::Type,)*
                }
                // serde would also read a struct from an array, Go never does.
                if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
                    return None;
                }
                #[allow(unused_variables)]
                let plain: Plain = serde_json::from_slice(body).ok()?;
                Some(Self { $($field: plain.$field,)* })
            }
        }
    };
    (
        $(@declare [$($fast:ident)?])?
        $(#[$doc:meta])*
        $name:ident($go:literal) $(db = $db:ident)? {
            $($field:ident: $ty:ty = $read:ident($key:literal) $(, required $gofield:literal)?;)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, PartialEq)]
        pub struct $name {
            $(pub $field: $ty,)*
        }

        impl $crate::go::bind::MilvusRequest for $name {
            const GO_TYPE: &'static str = concat!("httpserver.", $go);

            #[allow(unused_variables)]
            fn read(o: &mut $crate::go::json::GoObject<'_>) -> Self {
                Self { $($field: o.$read($key),)* }
            }

            #[allow(unused_variables)]
            fn required(&self, r: &mut $crate::go::json::Required) {
                $($(r.check($go, $gofield, $crate::api::Present::present(&self.$field));)?)*
            }

            $(fn take_db_name(&mut self) -> String {
                std::mem::take(&mut self.$db)
            })?

            $($(fn $fast(body: &[u8]) -> Option<Self> {
                Self::plain(body)
            })?)?
        }

        impl $crate::api::CallTarget for $name {
            fn target(&self) -> Option<(&str, &str)> {
                #[allow(unused_mut)]
                let (mut db, mut collection) = (None, None);
                $($crate::api::name_field($key, &self.$field, &mut db, &mut collection);)*
                Some((db?, collection?))
            }
        }
    };
}

/// The field types a `fast` request may have: those whose serde decoding of a value of their own JSON type is
/// exactly Go's (`String` from a string; `Option<Vec<String>>` from `null` or an array of strings).
pub trait PlainField {
    type Type;
}

impl PlainField for String {
    type Type = String;
}

impl PlainField for Option<Vec<String>> {
    type Type = Option<Vec<String>>;
}

/// What `binding:"required"` accepts: a non-empty string, a non-nil slice or map.
pub trait Present {
    fn present(&self) -> bool;
}

impl Present for String {
    fn present(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> Present for Option<T> {
    fn present(&self) -> bool {
        self.is_some()
    }
}

pub mod aliases;
pub mod collections;
mod data_body;
pub mod databases;
pub mod entities;
pub mod indexes;
pub mod partitions;
pub mod render;
pub mod search;

#[cfg(test)]
mod fast_path_tests;

use axum::http::HeaderMap;

use crate::catalog::{Catalog, DEFAULT_DATABASE};
use crate::envelope::Reply;
use crate::error::Result;
use crate::go::bind::{MilvusRequest, decode};
use crate::ops::Operation;
use crate::version::Profile;

/// The common prefix of every route.
pub const PREFIX: &str = "/v2/vectordb";

/// What a route's handler is, whatever serves it: a plain function over the catalog.
pub type Handler<R> = fn(&Catalog, &str, R) -> Result<Reply>;

/// How the server turns a route's handler into what it calls per request (the REST adapter, `app::Rest`, wraps it
/// in its whole HTTP call). This module lists the routes; it does not know who serves them.
pub trait Adapter {
    type Entry;
    fn entry<R: MilvusRequest + CallTarget + Send + 'static>(op: Operation, run: Handler<R>) -> Self::Entry;
}

/// One Milvus route.
#[derive(Clone)]
pub struct Route<E> {
    /// The operation it carries; its path is [`Operation::rest_path`].
    pub op: Operation,
    pub entry: E,
}

/// The names a bound request gives its call, for fault rules, the journal and the log line: its `dbName` and
/// `collectionName` fields, before the handler takes `dbName` out. `None` when its type lacks either field: the
/// REST adapter then reads both from the body, as the journal always has (see [`call_names`]).
pub trait CallTarget {
    fn target(&self) -> Option<(&str, &str)>;
}

/// `collections/create` declares its request by hand.
impl CallTarget for collections::CollectionReq {
    fn target(&self) -> Option<(&str, &str)> {
        Some((&self.db_name, &self.collection_name))
    }
}

/// A string field read from JSON key `key`: the name it gives, if `key` is `dbName` or `collectionName`.
#[doc(hidden)]
pub fn name_field<'a, F: NameField>(
    key: &str,
    field: &'a F,
    db: &mut Option<&'a str>,
    collection: &mut Option<&'a str>,
) {
    let slot = match key {
        "dbName" => db,
        "collectionName" => collection,
        _ => return,
    };
    if let Some(name) = field.as_name() {
        *slot = Some(name);
    }
}

/// A request field that can be a name: a string.
#[doc(hidden)]
pub trait NameField {
    fn as_name(&self) -> Option<&str>;
}

impl NameField for String {
    fn as_name(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T> NameField for Option<T> {
    fn as_name(&self) -> Option<&str> {
        None
    }
}

request! {
    /// `dbName` and `collectionName` as every route's binding reads them (Go's case-insensitive keys, the last
    /// duplicate wins): the names the journal, fault rules and the log line use.
    CallNamesReq("CallNames") {
        db_name: String = string("dbName");
        collection_name: String = string("collectionName");
    }
}

/// A body's `dbName` (else the `DB-Name` header, else `default`) and `collectionName` (`None` when empty), as the
/// route's own decoding sees them; a body that does not decode has neither. The plain case (an object whose keys
/// match no other spelling of the two) is read with serde; anything else with the Go-compatible decoder.
pub fn call_names(body: &[u8], headers: &HeaderMap) -> (String, Option<String>) {
    let (db, collection) = match plain_names(body) {
        Some(names) => names,
        None => match decode::<CallNamesReq>(body) {
            Ok(r) => (r.db_name, r.collection_name),
            Err(_) => Default::default(),
        },
    };
    let db = resolve_db(db, headers).into_owned();
    (db, Some(collection).filter(|c| !c.is_empty()))
}

/// The two names with serde when that is exactly Go's reading: a JSON object, each name at most once with its exact
/// spelling and a string value, and no other key that Go would match to them (another case, or non-ASCII letters
/// that fold to ASCII ones); `None` otherwise.
pub(crate) fn plain_names(body: &[u8]) -> Option<(String, String)> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = Option<(String, String)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
            let (mut db, mut collection): (Option<String>, Option<String>) = (None, None);
            let mut plain = true;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                let slot = match &*key {
                    "dbName" => Some(&mut db),
                    "collectionName" => Some(&mut collection),
                    k if !k.is_ascii()
                        || k.eq_ignore_ascii_case("dbName")
                        || k.eq_ignore_ascii_case("collectionName") =>
                    {
                        plain = false;
                        None
                    }
                    _ => None,
                };
                match slot {
                    Some(slot) if slot.is_none() && plain => match map.next_value::<String>() {
                        Ok(v) => *slot = Some(v),
                        Err(_) => return Ok(None),
                    },
                    Some(_) => return Ok(None),
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(plain.then(|| (db.unwrap_or_default(), collection.unwrap_or_default())))
        }
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let names = de.deserialize_map(Names).ok()??;
    de.end().ok()?;
    Some(names)
}

/// The `DB-Name` header.
pub static DB_NAME_HEADER: axum::http::HeaderName = axum::http::HeaderName::from_static("db-name");

/// `dbName` from the body, else the `DB-Name` header, else `default` (contract §2 step 4).
pub fn resolve_db(body_db: String, headers: &HeaderMap) -> std::borrow::Cow<'_, str> {
    if !body_db.is_empty() {
        return body_db.into();
    }
    match headers.get(&DB_NAME_HEADER).map(|v| String::from_utf8_lossy(v.as_bytes())) {
        Some(h) if !h.is_empty() => h,
        _ => DEFAULT_DATABASE.into(),
    }
}

/// The routes being listed, each made into `A`'s entry as it is added.
struct Table<A: Adapter>(Vec<Route<A::Entry>>);

impl<A: Adapter> Table<A> {
    fn add<R: MilvusRequest + CallTarget + Send + 'static>(&mut self, op: Operation, f: Handler<R>) {
        self.0.push(Route { op, entry: A::entry(op, f) });
    }
}

/// The operations the configured Milvus version serves over REST, in route order.
pub fn operations(profile: &Profile) -> Vec<Operation> {
    struct Names;
    impl Adapter for Names {
        type Entry = ();
        fn entry<R: MilvusRequest + CallTarget + Send + 'static>(_: Operation, _: Handler<R>) {}
    }
    routes::<Names>(profile).into_iter().map(|r| r.op).collect()
}

/// The routes of the configured Milvus version (contract §4, §9), each served by `A`.
pub fn routes<A: Adapter>(profile: &Profile) -> Vec<Route<A::Entry>> {
    use Operation::*;
    use aliases::*;
    use collections::*;
    use databases::*;
    use indexes::*;
    use partitions::*;
    let mut all = Table::<A>(Vec::new());
    if profile.database_routes {
        all.add(CreateDatabase, create_database);
        all.add(DropDatabase, drop_database);
        all.add(ListDatabases, list_databases);
        all.add(DescribeDatabase, describe_database);
        all.add(AlterDatabase, alter_database);
    }
    if profile.database_property_routes {
        all.add(AlterDatabaseProperties, alter_database);
        all.add(DropDatabaseProperties, drop_database_properties);
    }
    all.add(CreateCollection, create_collection);
    all.add(ListCollections, list_collections);
    all.add(HasCollection, has_collection);
    all.add(DescribeCollection, describe_collection);
    all.add(GetCollectionStats, get_collection_stats);
    all.add(GetLoadState, get_load_state);
    all.add(DropCollection, drop_collection);
    all.add(RenameCollection, rename_collection);
    all.add(LoadCollection, load_collection);
    all.add(ReleaseCollection, release_collection);
    if profile.property_routes {
        all.add(RefreshLoad, refresh_load);
        all.add(AlterCollectionProperties, alter_collection_properties);
        all.add(DropCollectionProperties, drop_collection_properties);
    }
    all.add(CreatePartition, create_partition);
    all.add(DropPartition, drop_partition);
    all.add(HasPartition, has_partition);
    all.add(ListPartitions, list_partitions);
    all.add(GetPartitionStats, get_partition_stats);
    all.add(LoadPartitions, load_partitions);
    all.add(ReleasePartitions, release_partitions);
    all.add(CreateIndex, create_index);
    all.add(ListIndexes, list_indexes);
    all.add(DescribeIndex, describe_index);
    all.add(DropIndex, drop_index);
    if profile.property_routes {
        all.add(AlterIndexProperties, alter_index_properties);
        all.add(DropIndexProperties, drop_index_properties);
    }
    all.add(CreateAlias, create_alias);
    all.add(AlterAlias, alter_alias);
    all.add(DropAlias, drop_alias);
    all.add(DescribeAlias, describe_alias);
    all.add(ListAliases, list_aliases);
    if profile.version >= crate::version::MilvusVersion::V2_6 {
        all.add(FlushCollection, entities::flush_collection);
    }
    all.add(InsertEntities, entities::insert_from_body);
    all.add(UpsertEntities, entities::upsert_from_body);
    all.add(DeleteEntities, entities::delete_entities);
    all.add(QueryEntities, entities::query_entities);
    all.add(GetEntities, entities::get_entities);
    all.add(SearchEntities, search::search_entities);
    all.add(HybridSearchEntities, search::hybrid_search_entities);
    all.0
}
