//! Milvus's naming rules for databases, collections, aliases and partitions (contract §8).

use crate::error::{Error, NameKind, NameRule, Result};
use crate::version::Profile;

/// `proxy.maxNameLength`: a name may be exactly this long.
pub const MAX_NAME_LENGTH: usize = 255;

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// Checks the shared shape: empty, length, first character, the rest.
fn check(name: &str, first_ok: impl Fn(char) -> bool, rest_ok: impl Fn(char) -> bool) -> Option<NameRule> {
    let mut chars = name.chars();
    let first = chars.next()?;
    if name.len() > MAX_NAME_LENGTH {
        return Some(NameRule::TooLong);
    }
    if !first_ok(first) {
        return Some(NameRule::FirstCharacter);
    }
    if !chars.all(rest_ok) {
        return Some(NameRule::OtherCharacter);
    }
    None
}

fn collection_rule(name: &str) -> Option<NameRule> {
    if name.is_empty() {
        return Some(NameRule::Empty);
    }
    check(name, |c| c == '_' || is_letter(c), |c| c == '_' || c.is_ascii_alphanumeric())
}

/// `validateCollectionNameOrAlias`: 1100 on failure. 2.4-2.6 trim whitespace first; the trimmed text is echoed.
pub fn validate_collection(name: &str, kind: NameKind, profile: &Profile) -> Result<()> {
    let name = if profile.trim_collection_names { name.trim() } else { name };
    match collection_rule(name) {
        None => Ok(()),
        Some(rule) => Err(Error::InvalidCollectionName { kind, name: name.to_string(), rule }),
    }
}

/// `validatePartitionTag` in strict mode: the name is trimmed; a digit may come first; `-` is allowed after the
/// first character from 2.5 on.
pub fn validate_partition(name: &str, profile: &Profile) -> Result<()> {
    let name = name.trim();
    let rule = if name.is_empty() {
        Some(NameRule::Empty)
    } else {
        check(
            name,
            |c| c == '_' || c.is_ascii_alphanumeric(),
            |c| c == '_' || c.is_ascii_alphanumeric() || (profile.partition_hyphen && c == '-'),
        )
    };
    match rule {
        None => Ok(()),
        Some(rule) => Err(Error::InvalidPartitionName { name: name.to_string(), rule }),
    }
}

/// `ValidateDatabaseName`: 802 on failure; not trimmed.
pub fn validate_database(name: &str) -> Result<()> {
    match collection_rule(name) {
        None => Ok(()),
        Some(rule) => Err(Error::InvalidDatabaseName { name: name.to_string(), rule }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::MilvusVersion;

    #[test]
    fn a_name_of_exactly_255_bytes_is_allowed_and_256_is_not() {
        let p = Profile::default();
        assert!(validate_collection(&"a".repeat(255), NameKind::Collection, &p).is_ok());
        let err = validate_collection(&"a".repeat(256), NameKind::Collection, &p).unwrap_err();
        assert!(matches!(err, Error::InvalidCollectionName { rule: NameRule::TooLong, .. }));
    }

    #[test]
    fn partition_names_may_start_with_a_digit_and_hold_hyphens_from_2_5() {
        let p = Profile::default();
        assert!(validate_partition("12name", &p).is_ok());
        assert!(validate_partition("a-b", &p).is_ok());
        assert!(validate_partition("-ab", &p).is_err());
        assert!(validate_partition("a-b", &Profile::new(MilvusVersion::V2_4)).is_err());
    }

    #[test]
    fn whitespace_is_trimmed_before_collection_checks_but_not_in_master() {
        assert!(validate_collection(" abc ", NameKind::Collection, &Profile::default()).is_ok());
        assert!(validate_collection(" abc", NameKind::Collection, &Profile::new(MilvusVersion::V3_0)).is_err());
        let err = validate_collection("  ", NameKind::Collection, &Profile::default()).unwrap_err();
        assert!(matches!(err, Error::InvalidCollectionName { rule: NameRule::Empty, .. }));
    }

    #[test]
    fn non_ascii_letters_are_not_letters() {
        let err = validate_database("données").unwrap_err();
        assert!(matches!(err, Error::InvalidDatabaseName { rule: NameRule::OtherCharacter, .. }));
    }
}
