//! k-anonymity by full-domain generalization and record suppression: every combination of the
//! quasi-identifiers' values that remains in the output is shared by at least `k` records.
//!
//! The search walks the lattice of generalization levels (one level per quasi-identifier) from
//! the bottom, as ARX's Flash does, using monotonicity twice: generalizing further never breaks
//! k-anonymity (classes only merge), so the successors of a node that satisfies the request are
//! never evaluated; and the information loss (the mean of level ÷ height over the
//! quasi-identifiers, Sweeney's precision metric) only grows upwards, so the best node is among
//! the minimal satisfying ones. Among equally good nodes the one suppressing fewer records wins.

use std::collections::{HashMap, HashSet};

use antitrata_domain::stats::{Column, Dictionary, Table, TableError};

use crate::hierarchy::Hierarchy;
use crate::metrics::{MarginalDistance, total_variation};

/// The quasi-identifiers CTDC used for its k-anonymous Global Dataset: demographics, place, year
/// and source (`shared/data/ctdc/NOTES.md` §5).
pub const CTDC_QUASI_IDENTIFIERS: [&str; 6] = [
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
];

/// The most lattice nodes a search visits; beyond it, choose fewer quasi-identifiers.
pub const MAX_NODES: usize = 1 << 16;
/// Up to this many possible classes, classes are counted in an array instead of a map.
const DENSE_CLASSES: u128 = 1 << 22;

/// A column whose values, combined with the others', could single a person out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuasiIdentifier {
    pub column: String,
    pub hierarchy: Hierarchy,
}

/// What a k-anonymous release must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub struct KAnonymityRequest {
    pub quasi_identifiers: Vec<QuasiIdentifier>,
    pub k: usize,
    /// The largest share of records (0 to 1) that may be suppressed.
    pub max_suppressed: f64,
}

/// How much one quasi-identifier was generalized.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnLoss {
    pub column: String,
    pub level: usize,
    pub height: usize,
    /// level ÷ height: 0 kept as is, 1 withheld.
    pub loss: f64,
}

/// The release and its report.
#[derive(Debug, Clone, PartialEq)]
pub struct KAnonymous {
    /// The input's columns, quasi-identifiers generalized, suppressed records left out.
    pub table: Table,
    /// The input generalized the same way with every record kept: what the release is measured
    /// against.
    pub generalized: Table,
    /// The generalization level chosen for each quasi-identifier, in request order.
    pub levels: Vec<usize>,
    /// The size of the smallest equivalence class in the output (0 when nothing is left).
    pub achieved_k: usize,
    pub classes: usize,
    pub suppressed: usize,
    pub loss: Vec<ColumnLoss>,
    /// Lattice nodes whose classes were counted (the rest were settled by monotonicity).
    pub nodes_evaluated: usize,
    pub nodes: usize,
    /// What suppression did to the distributions: total variation distance between the input
    /// generalized the same way (every record kept) and the output, for each column alone and for
    /// each pair of quasi-identifiers.
    pub distances: Vec<MarginalDistance>,
}

/// A request that cannot be met as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KAnonymityError {
    #[error("k must be at least 2")]
    KTooSmall,
    #[error("name at least one quasi-identifier")]
    NoQuasiIdentifiers,
    #[error("the table has no column `{0}`")]
    UnknownColumn(String),
    #[error("`{0}` is named twice")]
    Repeated(String),
    #[error("the share of suppressed records must be between 0 and 1")]
    BadSuppression,
    #[error(
        "{0} generalization combinations are too many for a full-domain search (at most 65,536): \
         choose fewer quasi-identifiers"
    )]
    TooManyNodes(usize),
    #[error(
        "even withholding every quasi-identifier leaves fewer than k records: the table is too \
         small for this k"
    )]
    Impossible,
    #[error(transparent)]
    Table(#[from] TableError),
}

/// One quasi-identifier's generalizations, precomputed per level: input code → class code, and
/// the class codes' values.
struct Generalized {
    position: usize,
    hierarchy: Hierarchy,
    /// `maps[level][input code]`.
    maps: Vec<Vec<u32>>,
    /// `values[level][class code]`.
    values: Vec<Vec<Option<String>>>,
}

impl Generalized {
    fn new(table: &Table, position: usize, hierarchy: Hierarchy) -> Generalized {
        let dictionary = &table.columns()[position].dictionary;
        let inputs: Vec<Option<&str>> = std::iter::once(None)
            .chain(dictionary.values().iter().map(|v| Some(v.as_str())))
            .collect();
        let mut maps = Vec::new();
        let mut values = Vec::new();
        for level in 0..=hierarchy.height() {
            let mut level_values: Vec<Option<String>> = Vec::new();
            let map = inputs
                .iter()
                .map(|input| {
                    let out = hierarchy.generalize(level, *input);
                    match level_values.iter().position(|v| *v == out) {
                        Some(i) => i as u32,
                        None => {
                            level_values.push(out);
                            (level_values.len() - 1) as u32
                        }
                    }
                })
                .collect();
            maps.push(map);
            values.push(level_values);
        }
        Generalized {
            position,
            hierarchy,
            maps,
            values,
        }
    }
}

/// What one lattice node does to the table.
struct Evaluation {
    suppressed: usize,
    classes: usize,
    smallest: usize,
}

/// Finds the least generalization that makes `table` k-anonymous within the suppression budget,
/// and applies it.
pub fn anonymize(
    table: &Table,
    request: &KAnonymityRequest,
) -> Result<KAnonymous, KAnonymityError> {
    if request.k < 2 {
        return Err(KAnonymityError::KTooSmall);
    }
    if request.quasi_identifiers.is_empty() {
        return Err(KAnonymityError::NoQuasiIdentifiers);
    }
    if !(0.0..=1.0).contains(&request.max_suppressed) {
        return Err(KAnonymityError::BadSuppression);
    }
    let mut qis = Vec::new();
    for (i, qi) in request.quasi_identifiers.iter().enumerate() {
        if request.quasi_identifiers[..i]
            .iter()
            .any(|other| other.column == qi.column)
        {
            return Err(KAnonymityError::Repeated(qi.column.clone()));
        }
        let position = table
            .position(&qi.column)
            .ok_or_else(|| KAnonymityError::UnknownColumn(qi.column.clone()))?;
        qis.push(Generalized::new(table, position, qi.hierarchy));
    }
    let heights: Vec<usize> = qis.iter().map(|q| q.hierarchy.height()).collect();
    let nodes = lattice(&heights)?;
    let budget = (request.max_suppressed * table.rows() as f64).floor() as usize;

    // Bottom-up by total level: a node with a satisfying predecessor satisfies too, and is
    // not minimal, so it is only marked.
    let mut satisfied: HashSet<Vec<usize>> = HashSet::new();
    let mut best: Option<(f64, usize, Vec<usize>, Evaluation)> = None;
    let mut evaluated = 0;
    for node in &nodes {
        let dominated = (0..node.len()).any(|i| {
            node[i] > 0 && {
                let mut below = node.clone();
                below[i] -= 1;
                satisfied.contains(&below)
            }
        });
        if dominated {
            satisfied.insert(node.clone());
            continue;
        }
        evaluated += 1;
        let evaluation = evaluate(table, &qis, node, request.k);
        if evaluation.suppressed > budget || evaluation.classes == 0 {
            continue;
        }
        satisfied.insert(node.clone());
        let loss = precision_loss(node, &heights);
        let better = match &best {
            None => true,
            Some((best_loss, best_suppressed, _, _)) => {
                loss < *best_loss - 1e-12
                    || ((loss - best_loss).abs() <= 1e-12
                        && evaluation.suppressed < *best_suppressed)
            }
        };
        if better {
            best = Some((loss, evaluation.suppressed, node.clone(), evaluation));
        }
    }
    let Some((_, _, levels, evaluation)) = best else {
        return Err(KAnonymityError::Impossible);
    };
    let output = apply(table, &qis, &levels, request.k)?;
    let generalized = apply(table, &qis, &levels, 1)?;
    let mut compared: Vec<Vec<String>> = table
        .columns()
        .iter()
        .map(|c| vec![c.name.clone()])
        .collect();
    for (i, a) in request.quasi_identifiers.iter().enumerate() {
        for b in &request.quasi_identifiers[i + 1..] {
            compared.push(vec![a.column.clone(), b.column.clone()]);
        }
    }
    let distances = compared
        .into_iter()
        .map(|columns| MarginalDistance {
            total_variation: distance(&generalized, &output, &columns),
            variables: columns,
        })
        .collect();
    Ok(KAnonymous {
        distances,
        table: output,
        generalized,
        loss: qis
            .iter()
            .zip(&levels)
            .map(|(q, &level)| ColumnLoss {
                column: table.columns()[q.position].name.clone(),
                level,
                height: q.hierarchy.height(),
                loss: level as f64 / q.hierarchy.height() as f64,
            })
            .collect(),
        levels,
        achieved_k: evaluation.smallest,
        classes: evaluation.classes,
        suppressed: evaluation.suppressed,
        nodes_evaluated: evaluated,
        nodes: nodes.len(),
    })
}

/// The total variation distance between the distributions of the value combinations of
/// `columns` in two tables with those columns.
fn distance(a: &Table, b: &Table, columns: &[String]) -> f64 {
    let (counts_a, counts_b) = (combinations_of(a, columns), combinations_of(b, columns));
    let keys: HashSet<&Vec<Option<&str>>> = counts_a.keys().chain(counts_b.keys()).collect();
    let (x, y): (Vec<u64>, Vec<u64>) = keys
        .into_iter()
        .map(|k| {
            (
                counts_a.get(k).copied().unwrap_or(0),
                counts_b.get(k).copied().unwrap_or(0),
            )
        })
        .unzip();
    total_variation(&x, &y)
}

/// How many rows hold each combination of values of `columns`.
fn combinations_of<'t>(table: &'t Table, columns: &[String]) -> HashMap<Vec<Option<&'t str>>, u64> {
    let picked: Vec<_> = columns.iter().filter_map(|c| table.column(c)).collect();
    let mut counts: HashMap<Vec<Option<&str>>, u64> = HashMap::new();
    for row in 0..table.rows() {
        let key = picked
            .iter()
            .map(|c| c.dictionary.value(c.codes[row]))
            .collect();
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// Every combination of levels, ordered by their sum (then lexicographically).
fn lattice(heights: &[usize]) -> Result<Vec<Vec<usize>>, KAnonymityError> {
    let count = heights
        .iter()
        .try_fold(1usize, |acc, h| acc.checked_mul(h + 1))
        .unwrap_or(usize::MAX);
    if count > MAX_NODES {
        return Err(KAnonymityError::TooManyNodes(count));
    }
    let mut nodes = vec![Vec::new()];
    for &height in heights {
        nodes = nodes
            .into_iter()
            .flat_map(|prefix| {
                (0..=height).map(move |level| {
                    let mut node = prefix.clone();
                    node.push(level);
                    node
                })
            })
            .collect();
    }
    nodes.sort_by_key(|node| (node.iter().sum::<usize>(), node.clone()));
    Ok(nodes)
}

fn precision_loss(node: &[usize], heights: &[usize]) -> f64 {
    node.iter()
        .zip(heights)
        .map(|(&level, &height)| level as f64 / height as f64)
        .sum::<f64>()
        / node.len() as f64
}

/// The class of every row under `node`, as a mixed-radix number.
fn class_keys(table: &Table, qis: &[Generalized], node: &[usize]) -> Vec<u128> {
    let mut keys = vec![0u128; table.rows()];
    for (q, &level) in qis.iter().zip(node) {
        let radix = q.values[level].len() as u128;
        let map = &q.maps[level];
        let codes = &table.columns()[q.position].codes;
        for (key, &code) in keys.iter_mut().zip(codes) {
            *key = *key * radix + u128::from(map[usize::from(code)]);
        }
    }
    keys
}

fn class_sizes(
    table: &Table,
    qis: &[Generalized],
    node: &[usize],
) -> (Vec<u128>, HashMap<u128, usize>) {
    let keys = class_keys(table, qis, node);
    let possible = qis
        .iter()
        .zip(node)
        .map(|(q, &level)| q.values[level].len() as u128)
        .try_fold(1u128, |acc, n| acc.checked_mul(n))
        .unwrap_or(u128::MAX);
    let mut sizes: HashMap<u128, usize> = HashMap::new();
    if possible <= DENSE_CLASSES {
        let mut dense = vec![0usize; possible as usize];
        for &key in &keys {
            dense[key as usize] += 1;
        }
        for (key, n) in dense.into_iter().enumerate() {
            if n > 0 {
                sizes.insert(key as u128, n);
            }
        }
    } else {
        for &key in &keys {
            *sizes.entry(key).or_default() += 1;
        }
    }
    (keys, sizes)
}

fn evaluate(table: &Table, qis: &[Generalized], node: &[usize], k: usize) -> Evaluation {
    let (_, sizes) = class_sizes(table, qis, node);
    let mut evaluation = Evaluation {
        suppressed: 0,
        classes: 0,
        smallest: 0,
    };
    for &n in sizes.values() {
        if n < k {
            evaluation.suppressed += n;
        } else {
            evaluation.classes += 1;
            evaluation.smallest = if evaluation.smallest == 0 {
                n
            } else {
                evaluation.smallest.min(n)
            };
        }
    }
    evaluation
}

/// The table under `levels`: quasi-identifiers generalized, records of classes below `k` left
/// out.
fn apply(
    table: &Table,
    qis: &[Generalized],
    levels: &[usize],
    k: usize,
) -> Result<Table, KAnonymityError> {
    let (keys, sizes) = class_sizes(table, qis, levels);
    let kept: Vec<usize> = (0..table.rows())
        .filter(|&row| sizes.get(&keys[row]).is_some_and(|&n| n >= k))
        .collect();
    let mut columns = Vec::with_capacity(table.columns().len());
    for (position, column) in table.columns().iter().enumerate() {
        match qis.iter().zip(levels).find(|(q, _)| q.position == position) {
            Some((q, &level)) => {
                let values = &q.values[level];
                // Class code → output code: missing is 0, the others in order.
                let mut names = Vec::new();
                let recode: Vec<u16> = values
                    .iter()
                    .map(|value| match value {
                        None => 0,
                        Some(value) => {
                            names.push(value.clone());
                            names.len() as u16
                        }
                    })
                    .collect();
                let map = &q.maps[level];
                columns.push(Column {
                    name: column.name.clone(),
                    dictionary: Dictionary::new(names)?,
                    codes: kept
                        .iter()
                        .map(|&row| recode[map[usize::from(column.codes[row])] as usize])
                        .collect(),
                });
            }
            None => columns.push(Column {
                name: column.name.clone(),
                dictionary: column.dictionary.clone(),
                codes: kept.iter().map(|&row| column.codes[row]).collect(),
            }),
        }
    }
    Ok(Table::from_columns(columns)?)
}

#[cfg(test)]
mod tests {
    use antitrata_domain::stats::TableEncoder;

    use super::*;

    fn table(rows: &[[&str; 3]]) -> Table {
        let mut encoder = TableEncoder::new(
            vec!["ageBroad".into(), "citizenship".into(), "gender".into()],
            1 << 20,
        );
        for row in rows {
            let values: Vec<Option<&str>> =
                row.iter().map(|v| (!v.is_empty()).then_some(*v)).collect();
            encoder.push_row(&values).unwrap();
        }
        let chunk = encoder.take_chunk();
        Table::from_chunks(encoder.dictionaries(), [chunk]).unwrap()
    }

    fn request(k: usize, max_suppressed: f64) -> KAnonymityRequest {
        KAnonymityRequest {
            quasi_identifiers: vec![
                QuasiIdentifier {
                    column: "ageBroad".into(),
                    hierarchy: Hierarchy::AgeBand,
                },
                QuasiIdentifier {
                    column: "citizenship".into(),
                    hierarchy: Hierarchy::Country,
                },
            ],
            k,
            max_suppressed,
        }
    }

    /// Independent of the code under test: group the output's rows by their values.
    fn smallest_group(table: &Table, columns: &[&str]) -> usize {
        let mut groups: HashMap<Vec<Option<String>>, usize> = HashMap::new();
        for row in 0..table.rows() {
            let key = columns
                .iter()
                .map(|c| {
                    let column = table.column(c).unwrap();
                    column
                        .dictionary
                        .value(column.codes[row])
                        .map(str::to_owned)
                })
                .collect();
            *groups.entry(key).or_default() += 1;
        }
        groups.values().copied().min().unwrap_or(0)
    }

    #[test]
    fn generalizes_as_little_as_needed() {
        // Two Guatemalans and two Hondurans of neighbouring bands: ages must merge (18--29),
        // countries need not.
        let t = table(&[
            ["18--20", "GT", "Female"],
            ["21--23", "GT", "Female"],
            ["18--20", "HN", "Male"],
            ["24--26", "HN", "Female"],
        ]);
        let release = anonymize(&t, &request(2, 0.0)).unwrap();
        assert_eq!(release.levels, vec![1, 0]);
        assert_eq!(release.achieved_k, 2);
        assert_eq!(release.suppressed, 0);
        assert_eq!(release.table.rows(), 4);
        assert_eq!(
            smallest_group(&release.table, &["ageBroad", "citizenship"]),
            2
        );
        let age = release.table.column("ageBroad").unwrap();
        assert_eq!(age.dictionary.values(), &["18--29".to_owned()]);
        // Columns that are no quasi-identifier are untouched.
        assert_eq!(
            release.table.column("gender").unwrap(),
            t.column("gender").unwrap()
        );
        assert!(release.nodes_evaluated < release.nodes);
        // Nothing was suppressed, so nothing moved.
        assert!(release.distances.iter().all(|d| d.total_variation == 0.0));
        assert_eq!(release.distances.len(), 3 + 1, "three columns and one pair");
    }

    #[test]
    fn suppression_budget_trades_against_generalization() {
        let mut rows = vec![["30--38", "MX", "Female"]; 5];
        rows.push(["48+", "CA", "Male"]);
        let t = table(&rows);
        // Without suppression the lone Canadian forces generalization…
        let strict = anonymize(&t, &request(2, 0.0)).unwrap();
        assert!(strict.levels.iter().sum::<usize>() > 0);
        assert_eq!(strict.suppressed, 0);
        // …with one record's worth of budget it is suppressed instead.
        let lenient = anonymize(&t, &request(2, 0.2)).unwrap();
        assert_eq!(lenient.levels, vec![0, 0]);
        assert_eq!(lenient.suppressed, 1);
        assert_eq!(lenient.table.rows(), 5);
        // Suppressing the Canadian shifts the citizenship distribution by 1/6.
        let citizenship = lenient
            .distances
            .iter()
            .find(|d| d.variables == ["citizenship"])
            .unwrap();
        assert!((citizenship.total_variation - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(
            smallest_group(&lenient.table, &["ageBroad", "citizenship"]),
            5
        );
    }

    #[test]
    fn no_output_group_is_ever_below_k() {
        // A skewed table: many small groups. Whatever k, the output holds.
        let bands = ["0--8", "9--17", "18--20", "21--23", "30--38", "48+", ""];
        let countries = ["GT", "HN", "SV", "MX", "US", "PH", "ZZ", ""];
        let mut rows = Vec::new();
        for i in 0..400usize {
            rows.push([
                bands[(i * 7 + i / 13) % bands.len()],
                countries[(i * i + 3) % countries.len()],
                "Female",
            ]);
        }
        let t = table(&rows);
        for k in [2, 3, 5, 11, 25] {
            for budget in [0.0, 0.02, 0.1] {
                let release = anonymize(&t, &request(k, budget)).unwrap();
                let smallest = smallest_group(&release.table, &["ageBroad", "citizenship"]);
                assert!(
                    smallest >= k,
                    "k={k} budget={budget}: a group of {smallest}"
                );
                assert_eq!(release.achieved_k, smallest);
                assert!(release.suppressed as f64 <= budget * 400.0);
                assert_eq!(release.table.rows() + release.suppressed, 400);
            }
        }
    }

    #[test]
    fn refuses_requests_it_cannot_meet() {
        let t = table(&[["18--20", "GT", "Female"]]);
        assert_eq!(
            anonymize(&t, &request(1, 0.0)).unwrap_err(),
            KAnonymityError::KTooSmall
        );
        assert_eq!(
            anonymize(&t, &request(2, 0.0)).unwrap_err(),
            KAnonymityError::Impossible
        );
        let mut unknown = request(2, 0.0);
        unknown.quasi_identifiers[0].column = "age".into();
        assert_eq!(
            anonymize(&t, &unknown).unwrap_err(),
            KAnonymityError::UnknownColumn("age".into())
        );
        let many = KAnonymityRequest {
            quasi_identifiers: (0..17)
                .map(|_| QuasiIdentifier {
                    column: "gender".into(),
                    hierarchy: Hierarchy::Withhold,
                })
                .collect(),
            k: 2,
            max_suppressed: 0.0,
        };
        assert!(matches!(
            anonymize(&t, &many).unwrap_err(),
            KAnonymityError::Repeated(_)
        ));
    }
}
