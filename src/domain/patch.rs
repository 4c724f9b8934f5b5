//! What a write body says about each field (left out, `null`, or a value)
//! and how a write applies it: the grammar of POST, PUT and merge-patch
//! PATCH, shared by every resource.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// A write body's shape: which fields it accepts and which exist but are
/// computed by the server (both are refused by name, with 400).
pub trait WriteBody: DeserializeOwned {
    const FIELDS: &'static [&'static str];
    const READ_ONLY: &'static [&'static str];
}

/// A field of a merge patch: left out, sent as `null`, or given a value.
/// Plain `Option` cannot tell the first two apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(value) => Patch::Value(f(value)),
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Null and absent alike become `None`: how POST reads a field.
    pub fn into_option(self) -> Option<T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A merge: absent keeps `current`, null clears, a value replaces.
    pub fn merge(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Absent => current,
            Patch::Null => None,
            Patch::Value(v) => Some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Patch::Value(v),
            None => Patch::Null,
        })
    }
}

/// How a write body is applied to what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Create,
    Replace,
    Merge,
}

impl WriteMode {
    /// The new value of an optional field under this mode.
    pub fn apply<T>(self, patch: Patch<T>, current: Option<T>) -> Option<T> {
        match self {
            WriteMode::Create | WriteMode::Replace => patch.into_option(),
            WriteMode::Merge => patch.merge(current),
        }
    }

    /// Like `apply`, for the fields PUT keeps when they are left out.
    pub fn apply_kept<T>(self, patch: Patch<T>, current: Option<T>) -> Option<T> {
        match self {
            WriteMode::Create => patch.into_option(),
            WriteMode::Replace | WriteMode::Merge => patch.merge(current),
        }
    }
}

/// A whole number as JSON may spell it: `3`, or `3.0` as JSON Schema's
/// `integer` allows. Anything fractional or out of range is an error.
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(n) = number.as_i64() {
        return Ok(n);
    }
    match number.as_f64() {
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {number}"
        ))),
    }
}

/// `whole_number` for an optional field.
pub fn optional_whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_number")] i64);
    Ok(Option::<Whole>::deserialize(deserializer)?.map(|w| w.0))
}

/// `whole_number` for a merge-patch field.
pub fn patch_whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Patch<i64>, D::Error> {
    Ok(match optional_whole_number(deserializer)? {
        Some(n) => Patch::Value(n),
        None => Patch::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_may_be_spelled_as_floats() {
        #[derive(Debug, Deserialize)]
        struct N(#[serde(deserialize_with = "whole_number")] i64);
        assert_eq!(serde_json::from_str::<N>("3.0").unwrap().0, 3);
        assert_eq!(serde_json::from_str::<N>("-7").unwrap().0, -7);
        assert!(serde_json::from_str::<N>("1.5").is_err());
        assert!(serde_json::from_str::<N>("1e300").is_err());
    }
}
