//! `NewContact::parse`, `CaseReference::parse` and the CTDC reader on arbitrary input.

use std::collections::BTreeSet;

use antitrata_domain::CountryCode;
use antitrata_domain::casework::{CaseReference, ContactInput, NOTE_MAX, NewContact};
use antitrata_domain::stats::read_table;
use proptest::prelude::*;
use time::macros::datetime;

/// A contact every field of which is valid.
fn valid() -> ContactInput {
    ContactInput {
        channel: "call".into(),
        language: "es".into(),
        caller_role: "anonymous".into(),
        outcome: "information-given".into(),
        ..ContactInput::default()
    }
}

/// The fields a mistake can be put in, and a value each refuses.
const MISTAKES: [(&str, &str); 9] = [
    ("channel", "pigeon"),
    ("direction", "sideways"),
    ("started_at", "yesterday-ish"),
    ("language", "klingon"),
    ("caller_role", "ghost"),
    ("caller_country", "1x"),
    ("heard_via", "rumour"),
    ("outcome", "lost-in-space"),
    ("case_reference", "GT-20-x"),
];

fn with_mistake(input: &mut ContactInput, field: &str, value: &str) {
    let value = value.to_owned();
    match field {
        "channel" => input.channel = value,
        "direction" => input.direction = value,
        "started_at" => input.started_at = value,
        "language" => input.language = value,
        "caller_role" => input.caller_role = value,
        "caller_country" => input.caller_country = value,
        "heard_via" => input.heard_via = value,
        "outcome" => input.outcome = value,
        "case_reference" => input.case_reference = value,
        other => panic!("no field {other}"),
    }
}

fn gt() -> CountryCode {
    CountryCode::parse("GT").unwrap()
}

proptest! {
    /// Whatever is typed in any field, parsing answers (a contact or field errors), and what it
    /// accepts keeps to the limits.
    #[test]
    fn no_submission_panics(
        fields in proptest::collection::vec(".{0,40}", 12),
        long in ".{0,4100}",
        screening in proptest::collection::vec((".{0,12}", ".{0,6}"), 0..5),
        danger: bool,
    ) {
        let input = ContactInput {
            channel: fields[0].clone(),
            direction: fields[1].clone(),
            started_at: fields[2].clone(),
            language: fields[3].clone(),
            caller_role: fields[4].clone(),
            caller_country: fields[5].clone(),
            caller_locality: fields[6].clone(),
            heard_via: fields[7].clone(),
            summary: long.clone(),
            notes: fields[8].clone(),
            outcome: fields[9].clone(),
            immediate_danger: danger,
            screening,
            case_reference: fields[10].clone(),
            caller_phone: fields[11].clone(),
        };
        let now = datetime!(2026-12-06 12:00 UTC);
        match NewContact::parse(&input, gt(), now) {
            Ok(contact) => {
                prop_assert!(contact.started_at <= now);
                prop_assert!(contact.summary.as_deref().is_none_or(|s| s.chars().count() <= NOTE_MAX));
                prop_assert_eq!(contact.immediate_danger, danger);
            }
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }

    /// Every mistake is named at once, beside its own field, and no field without one is.
    #[test]
    fn every_mistake_is_reported_at_once_and_only_those(
        chosen in proptest::collection::btree_set(0..MISTAKES.len(), 0..=MISTAKES.len()),
    ) {
        let mut input = valid();
        for &i in &chosen {
            let (field, value) = MISTAKES[i];
            with_mistake(&mut input, field, value);
        }
        let now = datetime!(2026-12-06 12:00 UTC);
        let expected: BTreeSet<&str> = chosen.iter().map(|&i| MISTAKES[i].0).collect();
        match NewContact::parse(&input, gt(), now) {
            Ok(_) => prop_assert!(expected.is_empty(), "accepted with mistakes in {expected:?}"),
            Err(errors) => {
                let named: BTreeSet<&str> = errors.iter().map(|e| e.field).collect();
                prop_assert_eq!(named, expected);
            }
        }
    }

    /// A reference reads back as itself, and any text that reads as one prints as what it read.
    #[test]
    fn case_references_round_trip(
        year in 1900u16..=2100,
        sequence in 1u32..=999_999_999,
        text in ".{0,24}",
    ) {
        let reference = CaseReference { country: gt(), year, sequence };
        prop_assert_eq!(CaseReference::parse(&reference.to_string()), Some(reference));
        if let Some(read) = CaseReference::parse(&text) {
            prop_assert_eq!(CaseReference::parse(&read.to_string()), Some(read));
        }
    }

    /// The CTDC reader answers a table or an error for any bytes, never a panic.
    #[test]
    fn the_ctdc_reader_takes_any_bytes(
        header in prop_oneof![
            Just("yearOfRegistration,gender,ageBroad,citizenship\n".to_owned()),
            ".{0,80}\n",
        ],
        body in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = header.into_bytes();
        bytes.extend(body);
        let _answered = read_table(bytes.as_slice());
    }
}
