//! Closed vocabularies (HTCDS picklists and the hotline's own): each value has a stable code, the
//! one stored, exchanged and used in forms, and a Fluent label key for the console.

/// Defines a vocabulary: an enum whose values have codes, parsed and serialized as those codes.
/// `label_key` is `<prefix>-<code>`, a key every locale has (tested in the web crate).
macro_rules! picklist {
    (
        $(#[$meta:meta])*
        $name:ident, $prefix:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the order forms show them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and exchanged code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// The value with this code; codes are compared exactly.
            pub fn parse(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The Fluent key of this value's label (`+`, not allowed in keys, is `plus`).
            pub fn label_key(self) -> String {
                format!("{}-{}", $prefix, self.code().replace('+', "plus"))
            }
        }

        impl $crate::casework::Picklist for $name {
            fn all() -> &'static [$name] {
                $name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn parse(code: &str) -> Option<$name> {
                $name::parse(code)
            }
            fn label_key(self) -> String {
                $name::label_key(self)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "unknown {} code `{}`",
                        stringify!($name),
                        code
                    ))
                })
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use picklist;

/// What every vocabulary offers, for code that shows or reads any of them (form options,
/// label checks).
pub trait Picklist: Copy + PartialEq + 'static {
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn parse(code: &str) -> Option<Self>;
    fn label_key(self) -> String;
}

/// A set of picklist values kept as codes joined by `;` with a `;` at both ends (`;A;B;`), the
/// form the store keeps so that "contains A" is `like '%;A;%'`.
pub fn join_codes<T: Copy>(values: &[T], code: impl Fn(T) -> &'static str) -> String {
    let mut out = String::from(";");
    for value in values {
        out.push_str(code(*value));
        out.push(';');
    }
    out
}

/// The values of a `;A;B;` list; `None` if a code is unknown.
pub fn split_codes<T>(joined: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    joined
        .split(';')
        .filter(|code| !code.is_empty())
        .map(parse)
        .collect()
}

#[cfg(test)]
#[allow(
    unreachable_pub,
    reason = "the macro makes public vocabularies; this one is the test's own"
)]
mod tests {
    use super::*;

    picklist! {
        /// A test vocabulary.
        Colour, "colour" { Red = "Red", DeepBlue = "DeepBlue" }
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.code()), Some(*colour));
        }
        assert_eq!(Colour::parse("red"), None);
        assert_eq!(Colour::DeepBlue.label_key(), "colour-DeepBlue");
        let json = serde_json::to_string(&[Colour::Red, Colour::DeepBlue]).unwrap();
        assert_eq!(json, r#"["Red","DeepBlue"]"#);
        let err = serde_json::from_str::<Colour>(r#""Green""#).unwrap_err();
        assert!(
            err.to_string().contains("unknown Colour code `Green`"),
            "{err}"
        );
    }

    #[test]
    fn code_lists_round_trip() {
        let joined = join_codes(&[Colour::Red, Colour::DeepBlue], Colour::code);
        assert_eq!(joined, ";Red;DeepBlue;");
        assert_eq!(
            split_codes(&joined, Colour::parse),
            Some(vec![Colour::Red, Colour::DeepBlue])
        );
        assert_eq!(split_codes(";", Colour::parse), Some(vec![]));
        assert_eq!(split_codes(";Red;Green;", Colour::parse), None);
    }
}
