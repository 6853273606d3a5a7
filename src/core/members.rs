//! Reading a JSON object's members by name into a struct, for the two documents the monitor
//! deserialises with serde (the discovery document, the ID token's claims).
//!
//! serde's derive writes a visitor per type, each with its own duplicate-field and missing-field
//! paths and the drops of every field read so far on each early return; here one loop serves both
//! types, and each type only says what to do with each of its members (size). The rules are the
//! derive's: members named twice are an error, unknown members are skipped, a required member
//! that is absent is an error.

use serde::de::{Error, IgnoredAny, MapAccess};

/// What [`read`] does with each member it knows: given the member's index and the map, it reads
/// the value.
pub type Member<'f, A, E> = &'f mut dyn FnMut(usize, &mut A) -> Result<(), E>;

/// Reads every member of `map`. A member named in `names` is handed to `member` with its index,
/// which reads the value (`map.next_value()`); any other member is skipped. Returns the members
/// present, one bit per index.
///
/// # Errors
/// A member named twice (serde's `duplicate_field`), or what `member` or `map` return.
pub fn read<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &'static [&'static str],
    member: Member<'_, A, A::Error>,
) -> Result<u32, A::Error> {
    let mut seen = 0u32;
    while let Some(key) = map.next_key::<String>()? {
        match names.iter().enumerate().find(|(_, n)| **n == key) {
            Some((i, name)) => {
                let bit = 1u32 << i;
                if seen & bit != 0 {
                    return Err(A::Error::duplicate_field(name));
                }
                seen |= bit;
                member(i, map)?;
            }
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(seen)
}

/// Checks that every member of `required` (a mask of indices into the names) is in `seen`.
///
/// # Errors
/// serde's `missing_field` for the first one absent.
pub fn require<E: Error>(
    seen: u32,
    required: u32,
    names: &'static [&'static str],
) -> Result<(), E> {
    match names
        .iter()
        .enumerate()
        .find(|(i, _)| required & !seen & (1u32 << i) != 0)
    {
        Some((_, name)) => Err(E::missing_field(name)),
        None => Ok(()),
    }
}
