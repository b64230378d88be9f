//! The Milvus routes: one module per URL segment, each with its request types next to its handlers.
//!
//! A handler is a plain function `fn(&Catalog, db, request) -> Result<Reply>`: `route` wraps it with the body
//! binding and the `dbName` resolution every Milvus route shares, and [`routes`] lists the routes the configured
//! Milvus version has.

/// Declares a request body type as Milvus's Go struct has it: the fields in declaration order, the JSON key each
/// is read from (with Go's decoding rules, see [`GoObject`](crate::gojson::GoObject)), the fields tagged
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

        impl $crate::envelope::MilvusRequest for $name {
            const GO_TYPE: &'static str = concat!("httpserver.", $go);

            #[allow(unused_variables)]
            fn read(o: &mut $crate::gojson::GoObject<'_>) -> Self {
                Self { $($field: o.$read($key),)* }
            }

            #[allow(unused_variables)]
            fn required(&self, r: &mut $crate::gojson::Required) {
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
pub mod databases;
pub mod entities;
pub mod indexes;
pub mod partitions;
pub mod render;
pub mod search;

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::catalog::{Catalog, DEFAULT_DATABASE};
use crate::envelope::{MilvusRequest, Reply, decode};
use crate::error::Result;
use crate::ops::Operation;
use crate::version::Profile;

/// The common prefix of every route.
pub const PREFIX: &str = "/v2/vectordb";

/// A route's whole REST call (`app::milvus_call`), its request type erased: the one dynamic call per
/// request; everything after it is monomorphised for the route's request type.
pub type Entry = Arc<
    dyn Fn(
            Arc<crate::app::AppState>,
            Operation,
            axum::extract::Request,
        ) -> std::pin::Pin<
            Box<
                dyn std::future::Future<
                        Output = std::result::Result<axum::response::Response, std::convert::Infallible>,
                    > + Send,
            >,
        > + Send
        + Sync,
>;

/// One Milvus route.
#[derive(Clone)]
pub struct Route {
    /// The path below [`PREFIX`], such as `/partitions/release`.
    pub path: &'static str,
    /// The operation it carries (its [`Operation::rest_path`] is [`PREFIX`] and `path`).
    pub op: Operation,
    pub entry: Entry,
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

fn route<R: MilvusRequest + CallTarget + Send + 'static>(
    op: Operation,
    f: fn(&Catalog, &str, R) -> Result<Reply>,
) -> Route {
    let entry: Entry = Arc::new(move |app, op, request| Box::pin(crate::app::milvus_call(app, op, f, request)));
    let path = &op.rest_path()[PREFIX.len()..];
    Route { path, op, entry }
}

/// The routes of the configured Milvus version (contract §4, §9).
pub fn routes(profile: &Profile) -> Vec<Route> {
    use Operation::*;
    use aliases::*;
    use collections::*;
    use databases::*;
    use indexes::*;
    use partitions::*;
    let mut all = Vec::new();
    if profile.database_routes {
        all.extend([
            route(CreateDatabase, create_database),
            route(DropDatabase, drop_database),
            route(ListDatabases, list_databases),
            route(DescribeDatabase, describe_database),
            route(AlterDatabase, alter_database),
        ]);
    }
    if profile.database_property_routes {
        all.extend([
            route(AlterDatabaseProperties, alter_database),
            route(DropDatabaseProperties, drop_database_properties),
        ]);
    }
    all.extend([
        route(CreateCollection, create_collection),
        route(ListCollections, list_collections),
        route(HasCollection, has_collection),
        route(DescribeCollection, describe_collection),
        route(GetCollectionStats, get_collection_stats),
        route(GetLoadState, get_load_state),
        route(DropCollection, drop_collection),
        route(RenameCollection, rename_collection),
        route(LoadCollection, load_collection),
        route(ReleaseCollection, release_collection),
    ]);
    if profile.property_routes {
        all.extend([
            route(RefreshLoad, refresh_load),
            route(AlterCollectionProperties, alter_collection_properties),
            route(DropCollectionProperties, drop_collection_properties),
        ]);
    }
    all.extend([
        route(CreatePartition, create_partition),
        route(DropPartition, drop_partition),
        route(HasPartition, has_partition),
        route(ListPartitions, list_partitions),
        route(GetPartitionStats, get_partition_stats),
        route(LoadPartitions, load_partitions),
        route(ReleasePartitions, release_partitions),
        route(CreateIndex, create_index),
        route(ListIndexes, list_indexes),
        route(DescribeIndex, describe_index),
        route(DropIndex, drop_index),
    ]);
    if profile.property_routes {
        all.extend([
            route(AlterIndexProperties, alter_index_properties),
            route(DropIndexProperties, drop_index_properties),
        ]);
    }
    all.extend([
        route(CreateAlias, create_alias),
        route(AlterAlias, alter_alias),
        route(DropAlias, drop_alias),
        route(DescribeAlias, describe_alias),
        route(ListAliases, list_aliases),
    ]);
    if profile.version >= crate::version::MilvusVersion::V2_6 {
        all.push(route(FlushCollection, entities::flush_collection));
    }
    all.extend([
        route(InsertEntities, entities::insert_entities),
        route(UpsertEntities, entities::upsert_entities),
        route(DeleteEntities, entities::delete_entities),
        route(QueryEntities, entities::query_entities),
        route(GetEntities, entities::get_entities),
        route(SearchEntities, search::search_entities),
        route(HybridSearchEntities, search::hybrid_search_entities),
    ]);
    all
}
