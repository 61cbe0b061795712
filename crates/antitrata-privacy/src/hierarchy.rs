//! Generalization hierarchies: how a quasi-identifier's values become coarser, level by level,
//! up to `*` (the value withheld). Each is defined on the codebook's vocabulary, never on the
//! values a table happens to hold, so the same input value always generalizes the same way.

use antitrata_domain::m49;

/// The value every hierarchy reaches at its top level.
pub const WITHHELD: &str = "*";

/// A hierarchy for one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hierarchy {
    /// CTDC age bands → `0--17`, `18--29`, `30--47`, `48+` → `Minor`/`Adult` → `*`.
    AgeBand,
    /// Years → five-year periods (`2015-2019`) → decades (`2010-2019`) → `*`.
    Year,
    /// ISO country codes → UN M49 sub-region → region → `*`.
    Country,
    /// Kept, or withheld altogether (any other column).
    Withhold,
}

impl Hierarchy {
    /// The hierarchy CTDC variables get by default.
    pub fn for_column(name: &str) -> Hierarchy {
        match name {
            "ageBroad" => Hierarchy::AgeBand,
            "yearOfRegistration" => Hierarchy::Year,
            "citizenship" | "CountryOfExploitation" => Hierarchy::Country,
            _ => Hierarchy::Withhold,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Hierarchy::AgeBand => "age band → 0--17/18--29/30--47/48+ → minor/adult → *",
            Hierarchy::Year => "year → five-year period → decade → *",
            Hierarchy::Country => "country → UN M49 sub-region → region → *",
            Hierarchy::Withhold => "value → *",
        }
    }

    /// The highest level: everything is `*` there.
    pub fn height(self) -> usize {
        match self {
            Hierarchy::AgeBand | Hierarchy::Year | Hierarchy::Country => 3,
            Hierarchy::Withhold => 1,
        }
    }

    /// The value at `level` (0 is the value itself). Missing stays missing below the top; a
    /// value the hierarchy does not know (`Unknown`, `ZZ`) stays itself below the top.
    pub fn generalize(self, level: usize, value: Option<&str>) -> Option<String> {
        if level >= self.height() {
            return Some(WITHHELD.to_owned());
        }
        let value = value?;
        if level == 0 {
            return Some(value.to_owned());
        }
        let coarser = match self {
            Hierarchy::AgeBand => age_band(level, value),
            Hierarchy::Year => year(level, value),
            Hierarchy::Country => m49::place(value).map(|(sub_region, region)| {
                if level == 1 { sub_region } else { region }.to_owned()
            }),
            Hierarchy::Withhold => None,
        };
        Some(coarser.unwrap_or_else(|| value.to_owned()))
    }
}

fn age_band(level: usize, band: &str) -> Option<String> {
    let broad = match band {
        "0--8" | "9--17" => "0--17",
        "18--20" | "21--23" | "24--26" | "27--29" => "18--29",
        "30--38" | "39--47" => "30--47",
        "48+" => "48+",
        _ => return None,
    };
    Some(match (level, broad) {
        (1, broad) => broad.to_owned(),
        (_, "0--17") => "Minor".to_owned(),
        _ => "Adult".to_owned(),
    })
}

fn year(level: usize, text: &str) -> Option<String> {
    let year: i32 = text.parse().ok()?;
    let span = if level == 1 { 5 } else { 10 };
    let first = year - year.rem_euclid(span);
    Some(format!("{first}-{}", first + span - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(h: Hierarchy, value: Option<&str>) -> Vec<Option<String>> {
        (0..=h.height()).map(|l| h.generalize(l, value)).collect()
    }

    fn some(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| Some((*v).to_owned())).collect()
    }

    #[test]
    fn each_hierarchy_climbs_to_withheld() {
        assert_eq!(
            levels(Hierarchy::AgeBand, Some("21--23")),
            some(&["21--23", "18--29", "Adult", "*"])
        );
        assert_eq!(
            levels(Hierarchy::AgeBand, Some("9--17")),
            some(&["9--17", "0--17", "Minor", "*"])
        );
        assert_eq!(
            levels(Hierarchy::Year, Some("2017")),
            some(&["2017", "2015-2019", "2010-2019", "*"])
        );
        assert_eq!(
            levels(Hierarchy::Country, Some("GT")),
            some(&["GT", "Central America", "Americas", "*"])
        );
        assert_eq!(levels(Hierarchy::Withhold, Some("1")), some(&["1", "*"]));
    }

    #[test]
    fn missing_and_unknown_values_stay_themselves_below_the_top() {
        assert_eq!(
            levels(Hierarchy::Country, None),
            vec![None, None, None, Some("*".into())]
        );
        assert_eq!(
            levels(Hierarchy::Country, Some("ZZ")),
            some(&["ZZ", "ZZ", "ZZ", "*"])
        );
        assert_eq!(
            levels(Hierarchy::AgeBand, Some("Unknown")),
            some(&["Unknown", "Unknown", "Unknown", "*"])
        );
    }
}
