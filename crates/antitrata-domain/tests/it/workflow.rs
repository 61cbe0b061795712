//! A case's status under any sequence of actions: it moves only as the workflow allows.

use antitrata_domain::casework::{CaseAction, CaseStatus, ClosureReason};
use proptest::prelude::*;

fn action() -> impl Strategy<Value = CaseAction> {
    let reason = prop_oneof![
        Just(ClosureReason::GoalsMet),
        Just(ClosureReason::ReferredElsewhere),
    ];
    prop_oneof![
        Just(CaseAction::Activate),
        Just(CaseAction::Refer),
        reason.clone().prop_map(CaseAction::RequestClosure),
        reason.prop_map(CaseAction::Close),
        Just(CaseAction::RejectClosure),
        Just(CaseAction::Reopen),
    ]
}

proptest! {
    #[test]
    fn a_case_moves_only_as_the_workflow_allows(
        actions in proptest::collection::vec(action(), 0..40),
    ) {
        let mut status = CaseStatus::Open;
        for action in actions {
            let Some(next) = status.after(action) else {
                // Refused: nothing changes, and a closed case refuses everything but reopening.
                prop_assert!(status != CaseStatus::Closed || action != CaseAction::Reopen);
                continue;
            };
            match action {
                CaseAction::Close(_) => prop_assert_eq!(next, CaseStatus::Closed),
                CaseAction::Reopen => {
                    prop_assert_eq!(status, CaseStatus::Closed);
                    prop_assert_eq!(next, CaseStatus::Active);
                }
                CaseAction::RejectClosure => {
                    prop_assert_eq!(status, CaseStatus::ClosureRequested);
                    prop_assert_eq!(next, CaseStatus::Active);
                }
                CaseAction::RequestClosure(_) => {
                    prop_assert_eq!(next, CaseStatus::ClosureRequested);
                }
                CaseAction::Activate => prop_assert_eq!((status, next), (CaseStatus::Open, CaseStatus::Active)),
                CaseAction::Refer => prop_assert_eq!(next, CaseStatus::Referred),
            }
            // Only closing closes, only a supervisor closes, and Open is never returned to.
            prop_assert_eq!(next == CaseStatus::Closed, matches!(action, CaseAction::Close(_)));
            prop_assert!(next != CaseStatus::Open);
            if next == CaseStatus::Closed {
                prop_assert!(action.needs_supervisor());
            }
            // From anywhere open, a supervisor can always close.
            if next.is_open() {
                prop_assert_eq!(
                    next.after(CaseAction::Close(ClosureReason::GoalsMet)),
                    Some(CaseStatus::Closed)
                );
            }
            status = next;
        }
    }
}
