//! A small serde `Deserializer` over values the browser's `JSON.parse` already built.
//!
//! The discovery document and the ID token claims are deserialised with serde (the types in
//! `core` derive `Deserialize`), but without a JSON parser in the `.wasm` and without
//! serde-wasm-bindgen. Its error type drops serde's messages: formatting them would pull float
//! formatting (`flt2dec`, about 17 kB) into the binary, and callers only need "malformed".
//!
//! Nesting is bounded ([`MAX_DEPTH`]): `JSON.parse` accepts any depth, and a recursive descent
//! over a hostile document (discovery, an ID token, a stored hint) would otherwise overflow the
//! stack, which in WebAssembly is not even a clean trap.

use core::fmt;

use js_sys::Array;
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use wasm_bindgen::{JsCast, JsValue};

/// Arrays and objects nested deeper than this are rejected. Discovery documents and ID tokens
/// nest three or four levels.
pub const MAX_DEPTH: u32 = 32;

/// Why a value was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// The value did not have the expected shape.
    Shape,
    /// Arrays or objects nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Shape => "malformed JSON value",
            Malformed::TooDeep => "JSON value nested too deeply",
        })
    }
}

impl std::error::Error for Malformed {}

impl de::Error for Malformed {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Malformed::Shape
    }
}

/// Deserialises `T` from a parsed JSON value.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, Malformed> {
    T::deserialize(Value(value, 0))
}

/// A value and how many arrays/objects enclose it.
struct Value(JsValue, u32);

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

impl<'de> de::Deserializer<'de> for Value {
    type Error = Malformed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        let Value(v, depth) = self;
        if v.is_null() || v.is_undefined() {
            return visitor.visit_unit();
        }
        if let Some(b) = v.as_bool() {
            return visitor.visit_bool(b);
        }
        if let Some(n) = v.as_f64() {
            return match n {
                n if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) => {
                    visitor.visit_u64(n as u64)
                }
                n if n.fract() == 0.0 && (-MAX_SAFE..0.0).contains(&n) => {
                    visitor.visit_i64(n as i64)
                }
                n => visitor.visit_f64(n),
            };
        }
        if let Some(s) = v.as_string() {
            return visitor.visit_string(s);
        }
        if !v.is_object() {
            return Err(Malformed::Shape);
        }
        if depth >= MAX_DEPTH {
            return Err(Malformed::TooDeep);
        }
        let depth = depth + 1;
        if Array::is_array(&v) {
            return visitor.visit_seq(Seq {
                items: v.unchecked_into(),
                next: 0,
                depth,
            });
        }
        let entries = crate::browser::js::entries(&v).ok_or(Malformed::Shape)?;
        visitor.visit_map(Map {
            entries,
            next: 0,
            value: None,
            depth,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    // Strings and field names need only the string case: one small body per visitor instead of
    // the whole of `deserialize_any` (serde instantiates these once per visitor type).
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        match self.0.as_string() {
            Some(s) => visitor.visit_string(s),
            None => Err(Malformed::Shape),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        self.deserialize_string(visitor)
    }

    // Structs (the discovery document, the claims) and lists take only their own shape: serde's
    // derive would otherwise instantiate every branch of `deserialize_any` per struct visitor,
    // a struct-from-array path included.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Malformed> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        let Value(v, depth) = self;
        if !v.is_object() || Array::is_array(&v) {
            return Err(Malformed::Shape);
        }
        if depth >= MAX_DEPTH {
            return Err(Malformed::TooDeep);
        }
        let entries = crate::browser::js::entries(&v).ok_or(Malformed::Shape)?;
        visitor.visit_map(Map {
            entries,
            next: 0,
            value: None,
            depth: depth + 1,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        let Value(v, depth) = self;
        if !Array::is_array(&v) {
            return Err(Malformed::Shape);
        }
        if depth >= MAX_DEPTH {
            return Err(Malformed::TooDeep);
        }
        visitor.visit_seq(Seq {
            items: v.unchecked_into(),
            next: 0,
            depth: depth + 1,
        })
    }

    /// Members nobody reads (most of a discovery document) are skipped without being walked.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        visitor.visit_unit()
    }

    /// Only a number (the ID token's dates): one small body instead of `deserialize_any`'s per
    /// visitor. Every number is given as it is; the visitor decides what it accepts.
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Malformed> {
        match self.0.as_f64() {
            Some(n) => visitor.visit_f64(n),
            None => Err(Malformed::Shape),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 char bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct enum
    }
}

struct Seq {
    items: Array,
    next: u32,
    depth: u32,
}

impl<'de> SeqAccess<'de> for Seq {
    type Error = Malformed;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Malformed> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item, self.depth)).map(Some)
    }
}

struct Map {
    entries: Array,
    next: u32,
    value: Option<JsValue>,
    depth: u32,
}

impl<'de> MapAccess<'de> for Map {
    type Error = Malformed;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Malformed> {
        if self.next >= self.entries.length() {
            return Ok(None);
        }
        let pair: Array = self.entries.get(self.next).unchecked_into();
        self.next += 1;
        self.value = Some(pair.get(1));
        seed.deserialize(Value(pair.get(0), self.depth)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Malformed> {
        let value = self.value.take().unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(Value(value, self.depth))
    }
}
