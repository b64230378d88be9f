//! The Milvus operations, whatever the wire: what fault rules, the request journal and the log line name a call by.
//!
//! A call flows socket → [`crate::conn`] (HTTP/1.1 on hyper) → [`crate::app`] (the REST adapter: `Request-Timeout`,
//! body, faults, panics, journal and log line around the route) → the route's handler in [`crate::api`] (Go-compatible
//! binding, then the catalog) → back through `app`, which renders Milvus's envelope. Every Milvus route has one
//! [`Operation`], named as Milvus's REST paths name it (`partitions/release`), so a fault rule or a journal filter
//! written for REST also fits another transport carrying the same operation (a gRPC `ReleasePartitions`).

use serde::Serialize;

/// Declares [`Operation`] with each variant's name.
macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident = $name:literal;)*) => {
        /// One Milvus operation. Known from the route alone, so a call whose body does not bind still has one.
        ///
        /// ```
        /// use milvus_mock::ops::Operation;
        /// assert_eq!(Operation::ReleasePartitions.name(), "partitions/release");
        /// assert_eq!(Operation::ReleasePartitions.rest_path(), "/v2/vectordb/partitions/release");
        /// assert_eq!(Operation::from_name("aliases/list"), Some(Operation::ListAliases));
        /// assert_eq!(Operation::from_name("partitions"), None);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// Every operation, in declaration order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The operation's name: its REST path below `/v2/vectordb/`, such as `partitions/release`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Operation::$variant => $name,)*
                }
            }

            /// Its REST path in full, such as `/v2/vectordb/partitions/release`.
            pub const fn rest_path(self) -> &'static str {
                match self {
                    $(Operation::$variant => concat!("/v2/vectordb/", $name),)*
                }
            }
        }
    };
}

operations! {
    CreateDatabase = "databases/create";
    DropDatabase = "databases/drop";
    ListDatabases = "databases/list";
    DescribeDatabase = "databases/describe";
    AlterDatabase = "databases/alter";
    AlterDatabaseProperties = "databases/alter_properties";
    DropDatabaseProperties = "databases/drop_properties";
    CreateCollection = "collections/create";
    ListCollections = "collections/list";
    HasCollection = "collections/has";
    DescribeCollection = "collections/describe";
    GetCollectionStats = "collections/get_stats";
    GetLoadState = "collections/get_load_state";
    DropCollection = "collections/drop";
    RenameCollection = "collections/rename";
    LoadCollection = "collections/load";
    ReleaseCollection = "collections/release";
    RefreshLoad = "collections/refresh_load";
    AlterCollectionProperties = "collections/alter_properties";
    DropCollectionProperties = "collections/drop_properties";
    CreatePartition = "partitions/create";
    DropPartition = "partitions/drop";
    HasPartition = "partitions/has";
    ListPartitions = "partitions/list";
    GetPartitionStats = "partitions/get_stats";
    LoadPartitions = "partitions/load";
    ReleasePartitions = "partitions/release";
    CreateIndex = "indexes/create";
    ListIndexes = "indexes/list";
    DescribeIndex = "indexes/describe";
    DropIndex = "indexes/drop";
    AlterIndexProperties = "indexes/alter_properties";
    DropIndexProperties = "indexes/drop_properties";
    CreateAlias = "aliases/create";
    AlterAlias = "aliases/alter";
    DropAlias = "aliases/drop";
    DescribeAlias = "aliases/describe";
    ListAliases = "aliases/list";
}

impl Operation {
    /// The operation of a name, as [`Operation::name`] writes it.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// Whether a fault rule's `path` names this operation: `*`, the full REST path, or any tail of it after a `/`
    /// (`partitions/release`, `/partitions/release`, `release`).
    ///
    /// ```
    /// use milvus_mock::ops::Operation::{ReleaseCollection, ReleasePartitions};
    /// assert!(ReleasePartitions.matches("partitions/release"));
    /// assert!(ReleasePartitions.matches("/v2/vectordb/partitions/release"));
    /// assert!(ReleasePartitions.matches("*"));
    /// assert!(ReleaseCollection.matches("release"));
    /// assert!(!ReleaseCollection.matches("partitions/release"));
    /// ```
    pub fn matches(self, rule: &str) -> bool {
        let path = self.rest_path();
        if rule == "*" || rule == path {
            return true;
        }
        let tail = rule.trim_start_matches('/');
        path.len() > tail.len() && path.ends_with(tail) && path.as_bytes()[path.len() - tail.len() - 1] == b'/'
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The wire a call came in on, as the journal records it.
///
/// ```
/// assert_eq!(serde_json::to_value(milvus_mock::ops::Transport::Rest).unwrap(), "rest");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Milvus's REST API v2 (`/v2/vectordb/...`).
    Rest,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(*op));
        }
        assert_eq!(Operation::ALL.len(), 38);
    }

    #[test]
    fn matching_is_the_old_path_suffix_rule() {
        // The rule before operations: `r == "*" || r == path || path.ends_with("/" + r.trim_start_matches('/'))`.
        let rules = ["*", "release", "/release", "partitions/release", "vectordb/partitions/release", "ase", "", "/"];
        for op in Operation::ALL {
            let path = op.rest_path();
            for rule in rules.iter().copied().chain(Operation::ALL.iter().map(|o| o.name())).chain([path]) {
                let old = rule == "*" || rule == path || path.ends_with(&format!("/{}", rule.trim_start_matches('/')));
                assert_eq!(op.matches(rule), old, "{rule} on {path}");
            }
        }
    }
}
