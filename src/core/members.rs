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

#[cfg(test)]
mod tests {
    use crate::core::claims::IdTokenClaims;
    use crate::core::discovery::ProviderMetadata;

    const CLAIMS: &str = r#""iss":"i","sub":"s","aud":"a","exp":1,"iat":1"#;
    const METADATA: &str = r#""issuer":"https://op","authorization_endpoint":"https://op/a""#;

    fn claims(members: &str) -> Result<IdTokenClaims, serde_json::Error> {
        serde_json::from_str(&["{", members, "}"].concat())
    }

    fn metadata(members: &str) -> Result<ProviderMetadata, serde_json::Error> {
        serde_json::from_str(&["{", members, "}"].concat())
    }

    /// As with serde's derive: a member named twice is refused (`JSON.parse` keeps the last, so
    /// the browser never sees two; serde_json does), unknown members are skipped.
    #[test]
    fn a_member_named_twice_is_refused() {
        assert!(claims(CLAIMS).is_ok());
        assert!(claims(&[CLAIMS, r#","sub":"t""#].concat()).is_err());
        assert!(claims(&[CLAIMS, r#","sid":"x","sid":null"#].concat()).is_err());
        assert!(metadata(METADATA).is_ok());
        assert!(metadata(&[METADATA, r#","issuer":"https://op""#].concat()).is_err());
        let extra = claims(&[CLAIMS, r#","name":{"a":[1,2]},"email":"x""#].concat());
        assert_eq!(extra.unwrap().sub, "s");
    }

    /// Every required member is needed, whichever is missing; optional ones may be `null`.
    #[test]
    fn required_members_are_required() {
        let names = ["iss", "sub", "aud", "exp", "iat"];
        for skip in names {
            let members: Vec<String> = names
                .iter()
                .filter(|n| **n != skip)
                .map(|n| match *n {
                    "exp" | "iat" => format!(r#""{n}":1"#),
                    _ => format!(r#""{n}":"x""#),
                })
                .collect();
            assert!(claims(&members.join(",")).is_err(), "without {skip}");
        }
        let c = claims(&[CLAIMS, r#","azp":null,"nonce":"n""#].concat()).unwrap();
        assert_eq!((c.azp, c.nonce.as_deref()), (None, Some("n")));
        assert!(metadata(r#""issuer":"https://op""#).is_err());
        assert!(metadata(r#""authorization_endpoint":"https://op/a""#).is_err());
        let m = metadata(&[METADATA, r#","check_session_iframe":null"#].concat()).unwrap();
        assert_eq!(m.check_session_iframe, None);
    }

    /// An object only: no struct read from an array (the derive accepted one, in order).
    #[test]
    fn an_array_is_not_a_document() {
        assert!(
            serde_json::from_str::<ProviderMetadata>(r#"["https://op",null,"https://op/a"]"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<IdTokenClaims>(r#"["i","s","a",null,null,null,1,1]"#).is_err()
        );
    }
}
