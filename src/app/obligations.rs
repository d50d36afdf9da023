//! Where each obligation stands: the view HMSI steers by.

use std::collections::HashMap;

use super::agreements::visible;
use super::indicators::catalogue;
use super::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{
    Agreement, AgreementFilter, AgreementStatus, Obligation, Party, Recipient,
};
use crate::domain::ids::{AgreementId, SubmissionId};
use crate::domain::indicator::Indicator;
use crate::domain::progress::{ObligationStatus, Progress, progress};
use crate::domain::submission::Submission;
use crate::domain::traeger::Ags;
use crate::domain::transmission::Transmission;
use crate::store::DbConnection;
use crate::store::agreements as agreement_store;
use crate::store::submissions as submission_store;
use crate::store::transmissions as transmission_store;

#[derive(Debug, Clone)]
pub struct ObligationState {
    pub agreement_id: AgreementId,
    pub traeger: Ags,
    pub year: i32,
    pub obligation: Obligation,
    pub indicators: Vec<Indicator>,
    pub progress: Progress,
    pub submission_id: Option<SubmissionId>,
}

/// The standing of an obligation HMSI delivers from BA statistics: forwarded once every
/// indicator went out in a forwarded transmission, acknowledged once the Träger confirmed all of
/// them. Figures HMSI keeps (§ 4, no Träger recipient) are fulfilled once BA delivered them.
fn hmsi_progress(
    obligation: &Obligation,
    traeger: &Ags,
    transmissions: &[Transmission],
    today: chrono::NaiveDate,
) -> Progress {
    let mut p = progress(obligation.content.due, None, today);
    let codes = &obligation.content.indicators;
    if codes.is_empty() {
        return p;
    }
    let covering = |code| {
        transmissions
            .iter()
            .filter(move |t| t.indicators.iter().any(|s| &s.code == code))
    };
    let every = |f: &dyn Fn(&Transmission) -> bool| codes.iter().all(|c| covering(c).any(f));
    let to_traeger = obligation.content.recipients.contains(&Recipient::Traeger);
    if !to_traeger {
        if every(&|t| t.current().is_some()) {
            p.status = ObligationStatus::Fulfilled;
        }
    } else if every(&|t| {
        t.forwarded()
            .is_some_and(|v| v.acknowledgements.iter().any(|a| &a.traeger == traeger))
    }) {
        p.status = ObligationStatus::Acknowledged;
    } else if every(&|t| t.forwarded().is_some()) {
        p.status = ObligationStatus::Forwarded;
        p.pending = vec![Recipient::Traeger];
    }
    p
}

fn states(
    conn: &mut DbConnection,
    visibility: &Visibility,
    agreements: Vec<Agreement>,
    today: chrono::NaiveDate,
) -> Result<Vec<ObligationState>, AppError> {
    let ids: Vec<AgreementId> = agreements.iter().map(|a| a.id.clone()).collect();
    let mut submissions: HashMap<_, Submission> =
        submission_store::of_agreements(conn, visibility, &ids)?
            .into_iter()
            .map(|s| (s.obligation_id.clone(), s))
            .collect();
    let mut catalogues = HashMap::new();
    let mut transmissions: HashMap<i32, Vec<Transmission>> = HashMap::new();
    let mut out = Vec::new();
    for a in agreements {
        if let std::collections::hash_map::Entry::Vacant(slot) = catalogues.entry(a.year) {
            slot.insert(catalogue(conn, a.year)?);
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = transmissions.entry(a.year) {
            // The standing of an HMSI obligation is derived from every transmission of the
            // year; the caller is shown the standing, never the transmissions.
            let all = transmission_store::list(conn, &Visibility::All, Some(a.year), false)?;
            slot.insert(all);
        }
        let catalogue = &catalogues[&a.year];
        let sent = &transmissions[&a.year];
        for o in a.obligations {
            let submission = submissions.remove(&o.id);
            let progress = match o.content.delivered_by {
                Party::Traeger => progress(o.content.due, submission.as_ref(), today),
                Party::Hmsi => hmsi_progress(&o, &a.traeger, sent, today),
            };
            out.push(ObligationState {
                agreement_id: a.id.clone(),
                traeger: a.traeger.clone(),
                year: a.year,
                indicators: o
                    .content
                    .indicators
                    .iter()
                    .filter_map(|c| catalogue.get(c).cloned())
                    .collect(),
                submission_id: submission.map(|s| s.id),
                obligation: o,
                progress,
            });
        }
    }
    Ok(out)
}

/// The obligations of one agreement.
pub async fn of_agreement(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
) -> Result<Vec<ObligationState>, AppError> {
    let today = services.clock().today();
    services
        .db()
        .run(move |conn| {
            let agreement = visible(conn, &visibility, &id)?;
            states(conn, &visibility, vec![agreement], today)
        })
        .await
}

#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub year: Option<i32>,
    pub traeger: Option<Ags>,
    pub status: Option<ObligationStatus>,
    pub section: Option<String>,
}

/// The obligations of every agreement in force, across all Träger the caller may see.
pub async fn overview(
    services: &Services,
    visibility: Visibility,
    filter: Overview,
) -> Result<Vec<ObligationState>, AppError> {
    let today = services.clock().today();
    services
        .db()
        .run(move |conn| {
            let in_force = AgreementFilter {
                year: filter.year,
                traeger: filter.traeger.clone(),
                status: Some(AgreementStatus::InForce),
            };
            let agreements = agreement_store::list(conn, &visibility, &in_force, None, i64::MAX)?;
            let mut all = states(conn, &visibility, agreements, today)?;
            all.retain(|s| {
                filter.status.is_none_or(|st| s.progress.status == st)
                    && filter
                        .section
                        .as_ref()
                        .is_none_or(|sec| &s.obligation.content.section == sec)
            });
            Ok(all)
        })
        .await
}
