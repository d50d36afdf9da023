//! How complete a year's deliveries are, obligation by obligation: how many Träger delivered
//! (and how many of them late), which are overdue, returned, not yet due, or have no binding
//! agreement, by name, so HMSI knows whom to remind.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::app::obligations::{Detail, ObligationState, Overview, overview};
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::progress::ObligationStatus;
use crate::domain::traeger::{Ags, TraegerFilter};
use crate::store::traeger;

/// A Träger that has not delivered, and why: its obligation's status, or none when it has no
/// binding agreement that year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub traeger: Ags,
    pub name: String,
    pub status: Option<ObligationStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completeness {
    pub section: String,
    pub title_de: String,
    /// The earliest due date among the Träger's agreements.
    pub due: Option<NaiveDate>,
    pub traeger_total: usize,
    pub delivered: usize,
    pub late: usize,
    pub overdue: usize,
    pub returned: usize,
    pub open: usize,
    pub without_agreement: usize,
    /// Overdue first, then returned, not yet due, without agreement; by name within each.
    pub missing: Vec<Missing>,
}

impl Completeness {
    /// One line for people: "§ 2 (3) Schuldnerberatung: 23 von 26 geliefert (1 verspätet),
    /// 3 überfällig: …".
    pub fn summary_de(&self) -> String {
        let mut text = format!(
            "{} {}: {} von {} geliefert",
            self.section, self.title_de, self.delivered, self.traeger_total
        );
        if self.late > 0 {
            text.push_str(&format!(" ({} verspätet)", self.late));
        }
        let names = |status: Option<ObligationStatus>| -> Vec<&str> {
            self.missing
                .iter()
                .filter(|m| m.status == status)
                .map(|m| m.name.as_str())
                .collect()
        };
        for (status, word) in [
            (Some(ObligationStatus::Overdue), "überfällig"),
            (Some(ObligationStatus::Returned), "zurückgegeben"),
            (Some(ObligationStatus::Open), "noch nicht fällig"),
            (None, "ohne Vereinbarung"),
        ] {
            let named = names(status);
            if !named.is_empty() {
                text.push_str(&format!(", {} {word}: {}", named.len(), named.join(", ")));
            }
        }
        text
    }
}

/// Whether the obligation's figures went out (and were not returned).
fn delivered(status: ObligationStatus) -> bool {
    matches!(
        status,
        ObligationStatus::Submitted
            | ObligationStatus::Fulfilled
            | ObligationStatus::Forwarded
            | ObligationStatus::Acknowledged
    )
}

fn rank(status: Option<ObligationStatus>) -> u8 {
    match status {
        Some(ObligationStatus::Overdue) => 0,
        Some(ObligationStatus::Returned) => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// Tallies the states of one year's obligations by section, against every Träger of
/// `registry` (AGS and name).
pub fn tally(states: &[ObligationState], registry: &[(Ags, String)]) -> Vec<Completeness> {
    let mut by_section: BTreeMap<&str, Vec<&ObligationState>> = BTreeMap::new();
    for s in states {
        by_section
            .entry(s.obligation.content.section.as_str())
            .or_default()
            .push(s);
    }
    by_section
        .into_iter()
        .map(|(section, of)| {
            let name = |ags: &Ags| {
                registry
                    .iter()
                    .find(|(a, _)| a == ags)
                    .map_or_else(|| ags.to_string(), |(_, n)| n.clone())
            };
            let count =
                |st: ObligationStatus| of.iter().filter(|s| s.progress.status == st).count();
            let mut missing: Vec<Missing> = of
                .iter()
                .filter(|s| !delivered(s.progress.status))
                .map(|s| Missing {
                    traeger: s.traeger.clone(),
                    name: name(&s.traeger),
                    status: Some(s.progress.status),
                })
                .collect();
            let bound: Vec<&Ags> = of.iter().map(|s| &s.traeger).collect();
            missing.extend(
                registry
                    .iter()
                    .filter(|(a, _)| !bound.contains(&a))
                    .map(|(a, n)| Missing {
                        traeger: a.clone(),
                        name: n.clone(),
                        status: None,
                    }),
            );
            missing.sort_by(|a, b| (rank(a.status), &a.name).cmp(&(rank(b.status), &b.name)));
            let went_out: Vec<_> = of.iter().filter(|s| delivered(s.progress.status)).collect();
            Completeness {
                section: section.to_owned(),
                title_de: of[0].obligation.content.title_de.clone(),
                due: of.iter().filter_map(|s| s.obligation.content.due).min(),
                traeger_total: registry.len(),
                delivered: went_out.len(),
                late: went_out
                    .iter()
                    .filter(|s| s.progress.days_late.is_some_and(|d| d > 0))
                    .count(),
                overdue: count(ObligationStatus::Overdue),
                returned: count(ObligationStatus::Returned),
                open: count(ObligationStatus::Open),
                without_agreement: registry.len().saturating_sub(of.len()),
                missing,
            }
        })
        .collect()
}

/// The completeness of `year`'s obligations (of one `section`, if given).
pub async fn of_year(
    services: &Services,
    year: i32,
    section: Option<String>,
) -> Result<Vec<Completeness>, AppError> {
    let filter = Overview {
        year: Some(year),
        section: section.clone(),
        ..Overview::default()
    };
    let states = overview(services, Visibility::All, filter, Detail::Standing).await?;
    let registry: Vec<(Ags, String)> = services
        .db()
        .run(|conn| {
            let all = traeger::list(
                conn,
                &Visibility::All,
                &TraegerFilter::default(),
                None,
                i64::MAX,
            )?;
            Ok::<_, AppError>(all.into_iter().map(|t| (t.ags, t.content.name)).collect())
        })
        .await?;
    Ok(tally(&states, &registry))
}
