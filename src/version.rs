//! Everything that differs between Milvus versions, in one place (contract §9 and part 2 §F).
//!
//! The rest of the crate asks a [`Profile`] instead of comparing version numbers, so a new difference is one field
//! here and one use at the spot that differs.

use std::fmt;
use std::str::FromStr;

/// A Milvus release line the mock can imitate.
///
/// ```
/// let version: milvus_mock::MilvusVersion = "2.5".parse().unwrap();
/// assert_eq!(version.to_string(), "2.5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum MilvusVersion {
    V2_4,
    V2_5,
    /// The current stable line and the default.
    #[default]
    V2_6,
    /// master / 3.0-dev.
    V3_0,
}

impl FromStr for MilvusVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().trim_start_matches('v') {
            "2.4" => Ok(Self::V2_4),
            "2.5" => Ok(Self::V2_5),
            "2.6" => Ok(Self::V2_6),
            "3.0" | "master" => Ok(Self::V3_0),
            other => Err(format!("unknown Milvus version {other:?}: expected 2.4, 2.5, 2.6 or 3.0")),
        }
    }
}

impl fmt::Display for MilvusVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V2_4 => "2.4",
            Self::V2_5 => "2.5",
            Self::V2_6 => "2.6",
            Self::V3_0 => "3.0",
        })
    }
}

/// The behaviours that depend on the Milvus version, resolved once at start-up.
///
/// ```
/// use milvus_mock::{MilvusVersion, Profile};
/// assert!(!Profile::new(MilvusVersion::V2_4).database_routes);
/// assert!(Profile::default().database_routes);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub version: MilvusVersion,
    /// `code` of a successful answer: 0 from about 2.4.6 on, 200 in early 2.4 and in the docs' tables.
    pub success_code: i64,
    /// `databases/create|drop|list|describe|alter` exist (2.5+).
    pub database_routes: bool,
    /// `databases/alter_properties|drop_properties` exist (2.6+).
    pub database_property_routes: bool,
    /// `collections/refresh_load|alter_properties|drop_properties` and `indexes/alter_properties|drop_properties`
    /// exist (2.5+).
    pub property_routes: bool,
    /// Master turns many plain (65535) errors into `ErrParameterInvalid` (1100) with `: invalid parameter` appended.
    pub parameter_invalid_errors: bool,
    /// Hyphens are allowed in partition names after the first character (2.5+).
    pub partition_hyphen: bool,
    /// Collection and partition names are trimmed before validation (2.4-2.6; master does not trim collections).
    pub trim_collection_names: bool,
    /// An unparsable `Request-Timeout` is answered with 1100 (master) instead of being ignored.
    pub strict_request_timeout: bool,
    /// `""` in load/release `partitionNames` means `_default` (2.5+); in 2.4 it is an unknown partition (200).
    pub empty_partition_is_default: bool,
    /// The text of an empty release list (`any parttiion` in older 2.4 builds).
    pub release_empty_expected: &'static str,
    /// 2.4 words the partition-not-loaded message of `get_load_state` differently.
    pub long_partition_not_loaded: bool,
    /// Dropping a collection that still has aliases is refused (2.6+); earlier versions drop the aliases too.
    pub refuse_drop_with_aliases: bool,
    /// `aliases/drop` validates the alias name (before 2.6, PR #43064 removed it).
    pub validate_alias_on_drop: bool,
    /// `partitionsNum` given to a partition-key collection when the request names none.
    pub default_partition_key_partitions: usize,
}

impl Profile {
    /// The profile of one Milvus line.
    ///
    /// ```
    /// let p = milvus_mock::Profile::new(milvus_mock::MilvusVersion::V2_4);
    /// assert_eq!(p.release_empty_expected, "any parttiion");
    /// ```
    pub fn new(version: MilvusVersion) -> Self {
        use MilvusVersion::*;
        Self {
            version,
            success_code: 0,
            database_routes: version >= V2_5,
            database_property_routes: version >= V2_6,
            property_routes: version >= V2_5,
            parameter_invalid_errors: version >= V3_0,
            partition_hyphen: version >= V2_5,
            trim_collection_names: version <= V2_6,
            strict_request_timeout: version >= V3_0,
            empty_partition_is_default: version >= V2_5,
            release_empty_expected: if version == V2_4 { "any parttiion" } else { "any partition" },
            long_partition_not_loaded: version == V2_4,
            refuse_drop_with_aliases: version >= V2_6,
            validate_alias_on_drop: version <= V2_5,
            default_partition_key_partitions: if version >= V3_0 { 16 } else { 64 },
        }
    }

    /// The same profile answering `code` on success (200 for clients written to the docs' tables).
    ///
    /// ```
    /// let p = milvus_mock::Profile::default().with_success_code(200);
    /// assert_eq!(p.success_code, 200);
    /// ```
    pub fn with_success_code(mut self, code: i64) -> Self {
        self.success_code = code;
        self
    }
}

impl Default for Profile {
    fn default() -> Self {
        Self::new(MilvusVersion::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_the_flag_spellings() {
        assert_eq!("2.4".parse::<MilvusVersion>().unwrap(), MilvusVersion::V2_4);
        assert_eq!("v2.6".parse::<MilvusVersion>().unwrap(), MilvusVersion::V2_6);
        assert_eq!("master".parse::<MilvusVersion>().unwrap(), MilvusVersion::V3_0);
        assert!("2.7".parse::<MilvusVersion>().is_err());
    }

    #[test]
    fn the_default_profile_is_milvus_2_6() {
        let p = Profile::default();
        assert_eq!(p.version, MilvusVersion::V2_6);
        assert_eq!(p.success_code, 0);
        assert!(p.database_routes && p.database_property_routes && !p.parameter_invalid_errors);
    }
}
