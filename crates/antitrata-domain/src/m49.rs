//! UN M49 geographic regions: each ISO 3166-1 alpha-2 code with its sub-region and region, for
//! generalizing countries (country → sub-region → region). Written from the UN Statistics
//! Division's M49 standard; Taiwan (not listed in M49) is put in Eastern Asia and Kosovo in
//! Southern Europe, as statistical offices usually do.

/// Sub-regions with their region and member codes.
const SUB_REGIONS: &[(&str, &str, &[&str])] = &[
    (
        "Northern Africa",
        "Africa",
        &["DZ", "EG", "LY", "MA", "SD", "TN", "EH"],
    ),
    (
        "Eastern Africa",
        "Africa",
        &[
            "BI", "KM", "DJ", "ER", "ET", "KE", "MG", "MW", "MU", "YT", "MZ", "RE", "RW", "SC",
            "SO", "SS", "UG", "TZ", "ZM", "ZW", "IO", "TF",
        ],
    ),
    (
        "Middle Africa",
        "Africa",
        &["AO", "CM", "CF", "TD", "CG", "CD", "GQ", "GA", "ST"],
    ),
    ("Southern Africa", "Africa", &["BW", "SZ", "LS", "NA", "ZA"]),
    (
        "Western Africa",
        "Africa",
        &[
            "BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "MR", "NE", "NG", "SH",
            "SN", "SL", "TG",
        ],
    ),
    (
        "Caribbean",
        "Americas",
        &[
            "AI", "AG", "AW", "BS", "BB", "BQ", "VG", "KY", "CU", "CW", "DM", "DO", "GD", "GP",
            "HT", "JM", "MQ", "MS", "PR", "BL", "KN", "LC", "MF", "VC", "SX", "TT", "TC", "VI",
        ],
    ),
    (
        "Central America",
        "Americas",
        &["BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA"],
    ),
    (
        "South America",
        "Americas",
        &[
            "AR", "BO", "BV", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PY", "PE", "GS", "SR",
            "UY", "VE",
        ],
    ),
    (
        "Northern America",
        "Americas",
        &["BM", "CA", "GL", "PM", "US"],
    ),
    ("Central Asia", "Asia", &["KZ", "KG", "TJ", "TM", "UZ"]),
    (
        "Eastern Asia",
        "Asia",
        &["CN", "HK", "MO", "KP", "JP", "MN", "KR", "TW"],
    ),
    (
        "South-eastern Asia",
        "Asia",
        &[
            "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN",
        ],
    ),
    (
        "Southern Asia",
        "Asia",
        &["AF", "BD", "BT", "IN", "IR", "MV", "NP", "PK", "LK"],
    ),
    (
        "Western Asia",
        "Asia",
        &[
            "AM", "AZ", "BH", "CY", "GE", "IQ", "IL", "JO", "KW", "LB", "OM", "QA", "SA", "PS",
            "SY", "TR", "AE", "YE",
        ],
    ),
    (
        "Eastern Europe",
        "Europe",
        &["BY", "BG", "CZ", "HU", "PL", "MD", "RO", "RU", "SK", "UA"],
    ),
    (
        "Northern Europe",
        "Europe",
        &[
            "AX", "DK", "EE", "FO", "FI", "GG", "IS", "IE", "IM", "JE", "LV", "LT", "NO", "SJ",
            "SE", "GB",
        ],
    ),
    (
        "Southern Europe",
        "Europe",
        &[
            "AL", "AD", "BA", "HR", "GI", "GR", "VA", "IT", "MT", "ME", "MK", "PT", "SM", "RS",
            "SI", "ES", "XK",
        ],
    ),
    (
        "Western Europe",
        "Europe",
        &["AT", "BE", "FR", "DE", "LI", "LU", "MC", "NL", "CH"],
    ),
    (
        "Australia and New Zealand",
        "Oceania",
        &["AU", "CX", "CC", "HM", "NZ", "NF"],
    ),
    ("Melanesia", "Oceania", &["FJ", "NC", "PG", "SB", "VU"]),
    (
        "Micronesia",
        "Oceania",
        &["GU", "KI", "MH", "FM", "NR", "MP", "PW", "UM"],
    ),
    (
        "Polynesia",
        "Oceania",
        &["AS", "CK", "PF", "NU", "PN", "WS", "TK", "TO", "TV", "WF"],
    ),
];

/// The sub-region and region of a country code; `None` for codes M49 does not place (the
/// unknown country `ZZ`, Antarctica).
pub fn place(code: &str) -> Option<(&'static str, &'static str)> {
    SUB_REGIONS
        .iter()
        .find(|(_, _, members)| members.contains(&code))
        .map(|(sub_region, region, _)| (*sub_region, *region))
}

/// Every code M49 places, in table order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    SUB_REGIONS
        .iter()
        .flat_map(|(_, _, members)| members.iter().copied())
}

/// A country code that M49 places, as the API's inputs take it: the schema lists every such code,
/// so `XX` and `ZZ` are refused by the document as they are by the server.
#[cfg(feature = "openapi")]
#[derive(Debug)]
pub struct PlacedCountry;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PlacedCountry {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut codes: Vec<&str> = codes().collect();
        codes.sort_unstable();
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(codes))
            .description(Some("ISO 3166-1 alpha-2 code of a country UN M49 places"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PlacedCountry {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_placed_once() {
        let mut seen = std::collections::HashSet::new();
        for (_, _, members) in SUB_REGIONS {
            for code in *members {
                assert!(seen.insert(code), "{code} is listed twice");
            }
        }
        assert!(seen.len() >= 245, "{} codes", seen.len());
        for rcm in [
            "BZ", "CA", "CR", "DO", "SV", "GT", "HN", "MX", "NI", "PA", "US",
        ] {
            assert_eq!(place(rcm).map(|p| p.1), Some("Americas"), "{rcm}");
        }
        assert_eq!(place("NA"), Some(("Southern Africa", "Africa")));
        assert_eq!(place("PH"), Some(("South-eastern Asia", "Asia")));
        assert_eq!(place("ZZ"), None);
    }
}
