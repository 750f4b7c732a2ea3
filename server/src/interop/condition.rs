//! Display conditions as the answer values that make an item shown.
//!
//! FHIR `enableWhen` and ReproSchema `isVis` name answers; the native schema bounds
//! values. Going through "which values of which earlier item show it" lets export
//! and import agree on meaning however either side spells it, and tells plainly when
//! a source condition has no native equivalent (a gap in the values, an "and").

use std::collections::BTreeSet;

use instruments::definition::Condition;
use instruments::Definition;

/// Per earlier item, the values that show the item; the item is shown when any holds.
pub(crate) type Admitted = Vec<(String, BTreeSet<i32>)>;

/// Adds `values` for `item`, keeping first-mention order (it becomes `items` order).
pub(crate) fn merge(admitted: &mut Admitted, item: &str, values: impl IntoIterator<Item = i32>) {
    match admitted.iter_mut().find(|(id, _)| id == item) {
        Some((_, set)) => set.extend(values),
        None => admitted.push((item.to_owned(), values.into_iter().collect())),
    }
}

/// The values a native display condition admits, per item it looks at.
pub(crate) fn admitted(definition: &Definition, condition: &Condition) -> Admitted {
    let items: Vec<&String> = match condition {
        Condition::Item { item, .. } => vec![item],
        Condition::AnyItem { items, .. } => items.iter().collect(),
        Condition::Total { .. } | Condition::Subscale { .. } => Vec::new(),
    };
    items
        .into_iter()
        .map(|id| {
            let options = definition.item(id).map(|item| definition.options_of(item)).unwrap_or(&[]);
            let values = options.iter().map(|o| o.value).filter(|&v| condition.admits(f64::from(v))).collect();
            (id.clone(), values)
        })
        .collect()
}

/// The native condition admitting exactly these values, when one bound pair fits
/// every item (`None`: not expressible, e.g. a gap or an empty set).
pub(crate) fn from_admitted(admitted: &Admitted, values_of: impl Fn(&str) -> Vec<i32>) -> Option<Condition> {
    if admitted.is_empty() || admitted.iter().any(|(_, set)| set.is_empty()) {
        return None;
    }
    let fits = |low: Option<i32>, high: Option<i32>| {
        admitted.iter().all(|(id, set)| {
            let shown: BTreeSet<i32> = values_of(id)
                .into_iter()
                .filter(|&v| low.is_none_or(|l| v >= l) && high.is_none_or(|h| v <= h))
                .collect();
            &shown == set
        })
    };
    let candidates = admitted.iter().map(|(id, set)| {
        let values = values_of(id);
        let (lo, hi) = (set.first().copied().unwrap_or(0), set.last().copied().unwrap_or(0));
        let low = values.iter().min().is_some_and(|&min| lo > min).then_some(lo);
        let high = values.iter().max().is_some_and(|&max| hi < max).then_some(hi);
        // Every value admitted: "answered at all", written as at least the lowest.
        if low.is_none() && high.is_none() {
            (Some(lo), None)
        } else {
            (low, high)
        }
    });
    let (low, high) = candidates.into_iter().find(|&(low, high)| fits(low, high))?;
    let (at_least, at_most) = (low.map(f64::from), high.map(f64::from));
    Some(match admitted.as_slice() {
        [(item, _)] => Condition::Item { item: item.clone(), at_least, at_most },
        _ => Condition::AnyItem { items: admitted.iter().map(|(id, _)| id.clone()).collect(), at_least, at_most },
    })
}

/// A condition in words, for reports and listings.
pub fn describe(condition: &Condition) -> String {
    let (subject, (low, high)) = match condition {
        Condition::Item { item, .. } => (item.clone(), condition.bounds()),
        Condition::AnyItem { items, .. } => (format!("any of {}", items.join(", ")), condition.bounds()),
        Condition::Total { .. } => ("the total".to_owned(), condition.bounds()),
        Condition::Subscale { subscale, .. } => (format!("subscale {subscale}"), condition.bounds()),
    };
    match (low, high) {
        (Some(l), Some(h)) => format!("{subject} is {l}–{h}"),
        (Some(l), None) => format!("{subject} is at least {l}"),
        (None, Some(h)) => format!("{subject} is at most {h}"),
        (None, None) => subject,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(_: &str) -> Vec<i32> {
        vec![0, 1, 2, 3]
    }

    #[test]
    fn values_from_a_threshold_up_become_at_least() {
        let mut admitted = Admitted::new();
        merge(&mut admitted, "a", [1, 2, 3]);
        merge(&mut admitted, "b", [3, 2, 1]);
        let condition = from_admitted(&admitted, values).unwrap();
        assert_eq!(
            condition,
            Condition::AnyItem { items: vec!["a".into(), "b".into()], at_least: Some(1.0), at_most: None }
        );
    }

    #[test]
    fn a_range_inside_the_values_keeps_both_bounds() {
        let admitted = vec![("a".to_owned(), BTreeSet::from([1, 2]))];
        let condition = from_admitted(&admitted, values).unwrap();
        assert_eq!(condition, Condition::Item { item: "a".into(), at_least: Some(1.0), at_most: Some(2.0) });
    }

    #[test]
    fn a_gap_or_differing_thresholds_are_not_expressible() {
        assert_eq!(from_admitted(&vec![("a".to_owned(), BTreeSet::from([0, 3]))], values), None);
        let differing = vec![("a".to_owned(), BTreeSet::from([1, 2, 3])), ("b".to_owned(), BTreeSet::from([2, 3]))];
        assert_eq!(from_admitted(&differing, values), None);
        assert_eq!(from_admitted(&vec![("a".to_owned(), BTreeSet::new())], values), None);
    }
}
