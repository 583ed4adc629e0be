//! How servers shape values on the wire, in both directions: the lenient readers for the
//! shapes servers vary on (a string or a list, an id or an embedded object), and the forms
//! copse writes where serde's own differ. Used by the wire types of [`super::objects`],
//! [`super::activities`] and [`super::collections`].

/// Serialization helpers: the forms copse writes where serde's own differ.
pub(crate) mod ser {
    use chrono::SecondsFormat;
    use serde::{Serialize, Serializer};

    use super::super::objects::{ObjectFields, Timestamp};

    /// RFC 3339 with microseconds and `Z`: receivers order posts by it, and two posts in the
    /// same second must keep their order. (chrono's own form drops trailing zeros.)
    pub(crate) fn timestamp<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            None => s.serialize_none(),
        }
    }

    /// One value as itself, several as a list: an object has one author, and servers that
    /// read `attributedTo` as a URL must find one.
    pub(crate) fn one_or_many<S: Serializer, T: Serialize>(
        items: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match items {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }

    /// The shared fields, with `cc` written even when empty.
    pub(crate) fn with_cc<S: Serializer>(fields: &ObjectFields, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithEmptyCc<'a> {
            #[serde(flatten)]
            fields: &'a ObjectFields,
            cc: [&'a str; 0],
        }
        if fields.cc.is_empty() {
            WithEmptyCc { fields, cc: [] }.serialize(s)
        } else {
            fields.serialize(s)
        }
    }
}

/// Deserialization helpers for the shapes servers vary on. Each reads a
/// [`serde_json::Value`] first, so its errors can say what was found instead of serde's
/// generic "did not match any variant".
pub(crate) mod de {
    use serde::de::{DeserializeOwned, Error};
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    use super::super::objects::{Link, Reference};

    /// A short description of a JSON value for error messages, never its content: the
    /// content may be long, or hostile.
    pub(crate) fn describe(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// One value or a list of them; `null` is the empty list.
    pub(crate) fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        match Value::deserialize(d)? {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .into_iter()
                .map(|item| serde_json::from_value(item).map_err(D::Error::custom))
                .collect(),
            one => serde_json::from_value(one)
                .map(|v| vec![v])
                .map_err(D::Error::custom),
        }
    }

    /// The first of one value or a list of them; `null` and `[]` are `None`.
    pub(crate) fn first<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        Ok(one_or_many(d)?.into_iter().next())
    }

    /// Ids from one reference or a list of them (addressing: `to`, `cc`).
    pub(crate) fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(one_or_many::<D, Reference>(d)?
            .into_iter()
            .map(|r| r.id)
            .collect())
    }

    /// An optional id, from a URL or an embedded object.
    pub(crate) fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(first::<D, Reference>(d)?.map(|r| r.id))
    }

    /// An id if one can be found, else `None`, never an error. For properties copse only
    /// uses as a hint.
    pub(crate) fn loose_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Value::deserialize(d)?;
        Ok(match v {
            Value::String(s) => Some(s),
            Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
    }

    /// The href of one link or the first of a list.
    pub(crate) fn href<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        first::<D, Link>(d)?
            .map(|l| l.href)
            .ok_or_else(|| D::Error::custom("an empty list where a URL was expected"))
    }

    /// A value if it reads as one, else `None`, never an error: for extension properties a
    /// document must not be refused over.
    pub(crate) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        Ok(serde_json::from_value(Value::deserialize(d)?).ok())
    }

    /// A value where `null` means the default.
    pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }
}
