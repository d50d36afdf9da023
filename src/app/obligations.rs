//! Where each obligation stands: the view HMSI steers by.

use std::collections::HashMap;
use std::sync::Arc;

use super::agreements::visible;
use super::indicators::Catalogues;
use super::kept::{self, Rendered};
use super::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::{
    Agreement, AgreementFilter, AgreementStatus, Obligation, Party, Recipient,
};
use crate::domain::ids::{AgreementId, SubmissionId};
use crate::domain::indicator::{Catalogue, Indicator, IndicatorCode};
use crate::domain::progress::{ObligationStatus, Progress, progress};
use crate::domain::submission::Submission;
use crate::domain::traeger::Ags;
use crate::domain::transmission::{DataVersion, Transmission};
use crate::store::DbConnection;
use crate::store::agreements as agreement_store;
use crate::store::revisions::Subject;
use crate::store::submissions as submission_store;
use crate::store::transmissions as transmission_store;

#[derive(Debug, Clone)]
pub struct ObligationState {
    pub agreement_id: AgreementId,
    /// In force, or signed by one party and waiting for the other.
    pub agreement_status: AgreementStatus,
    pub traeger: Ags,
    pub year: i32,
    pub obligation: Obligation,
    pub indicators: Vec<Indicator>,
    pub progress: Progress,
    pub submission_id: Option<SubmissionId>,
}

/// The standing of an obligation HMSI delivers from BA statistics, for one Träger: forwarded
/// once every indicator went out to it in a forwarded version holding its own row,
/// acknowledged once it confirmed such a version for each. Figures HMSI keeps (§ 4, no Träger
/// recipient) are fulfilled once BA delivered the Träger's row of each. A transmission without a
/// row for this Träger tells nothing about it.
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
    let holds = |v: &DataVersion, code: &IndicatorCode| {
        v.rows
            .iter()
            .any(|r| &r.traeger == traeger && &r.indicator == code)
    };
    // Whether, for every indicator, some transmission's version picked by `version` holds
    // this Träger's row and passes `test`.
    let every = |version: &dyn Fn(&Transmission) -> Option<&DataVersion>,
                 test: &dyn Fn(&DataVersion) -> bool| {
        codes.iter().all(|code| {
            transmissions
                .iter()
                .filter_map(version)
                .any(|v| holds(v, code) && test(v))
        })
    };
    let to_traeger = obligation.content.recipients.contains(&Recipient::Traeger);
    if !to_traeger {
        if every(&Transmission::current, &|_| true) {
            p.status = ObligationStatus::Fulfilled;
        }
    } else if every(&Transmission::forwarded, &|v| {
        v.acknowledgements.iter().any(|a| &a.traeger == traeger)
    }) {
        p.status = ObligationStatus::Acknowledged;
    } else if every(&Transmission::forwarded, &|_| true) {
        p.status = ObligationStatus::Forwarded;
        p.pending = vec![Recipient::Traeger];
    }
    p
}

/// What the standings of one year's obligations are read against: the year's catalogue, and
/// the year's transmissions with the rows of the Träger asked about. The caller is shown the
/// standing derived from every transmission, never the transmissions.
struct Year {
    catalogue: Arc<Catalogue>,
    transmissions: Vec<Transmission>,
}

impl Year {
    fn read(
        conn: &mut DbConnection,
        catalogues: &Catalogues,
        year: i32,
        traeger: &[&str],
    ) -> Result<Self, AppError> {
        let rows = transmission_store::Rows::Of(traeger);
        Ok(Year {
            catalogue: catalogues.of_year(conn, year)?,
            transmissions: transmission_store::list(conn, &Visibility::All, Some(year), rows)?,
        })
    }
}

/// How much of each obligation's standing to assemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// With the definition of every indicator the obligation asks for, as callers are shown.
    Full,
    /// The standing without the definitions, for the completeness report: the definitions of
    /// 200 indicators in each of 548 agreements doubled a replica's peak memory.
    Standing,
}

fn states(
    conn: &mut DbConnection,
    catalogues: &Catalogues,
    visibility: &Visibility,
    agreements: Vec<Agreement>,
    today: chrono::NaiveDate,
    detail: Detail,
) -> Result<Vec<ObligationState>, AppError> {
    let ids: Vec<AgreementId> = agreements.iter().map(|a| a.id.clone()).collect();
    // The standing is shown to whoever may read the agreement; the submissions it is derived
    // from are not, so they are read as the Träger itself sees them.
    let mut submissions: HashMap<_, Submission> =
        submission_store::standing_of_agreements(conn, &visibility.owner(), &ids)?
            .into_iter()
            .map(|s| (s.obligation_id.clone(), s))
            .collect();
    let mut owners: Vec<String> = agreements.iter().map(|a| a.traeger.to_string()).collect();
    owners.sort_unstable();
    owners.dedup();
    let traeger: Vec<&str> = owners.iter().map(String::as_str).collect();
    let mut years: HashMap<i32, Year> = HashMap::new();
    let mut out = Vec::new();
    for a in agreements {
        if let std::collections::hash_map::Entry::Vacant(slot) = years.entry(a.year) {
            slot.insert(Year::read(conn, catalogues, a.year, &traeger)?);
        }
        let year = &years[&a.year];
        for o in a.obligations {
            let submission = submissions.remove(&o.id);
            let progress = match o.content.delivered_by {
                Party::Traeger => progress(o.content.due, submission.as_ref(), today),
                Party::Hmsi => hmsi_progress(&o, &a.traeger, &year.transmissions, today),
            };
            out.push(ObligationState {
                agreement_id: a.id.clone(),
                agreement_status: a.status,
                traeger: a.traeger.clone(),
                year: a.year,
                indicators: match detail {
                    Detail::Full => o
                        .content
                        .indicators
                        .iter()
                        .filter_map(|c| year.catalogue.get(c).cloned())
                        .collect(),
                    Detail::Standing => Vec::new(),
                },
                submission_id: submission
                    .filter(|s| s.visible_to(visibility))
                    .map(|s| s.id),
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
    let catalogues = services.catalogues();
    services
        .db()
        .run(move |conn| {
            let agreement = visible(conn, &visibility, &id)?;
            states(
                conn,
                &catalogues,
                &visibility,
                vec![agreement],
                today,
                Detail::Full,
            )
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

/// The obligations of every agreement in force or signed by one party (binding once the other
/// signs, so already to be planned for), across all Träger the caller may see; a draft binds
/// no one and a superseded agreement no longer does.
pub async fn overview(
    services: &Services,
    visibility: Visibility,
    filter: Overview,
    detail: Detail,
) -> Result<Vec<ObligationState>, AppError> {
    let today = services.clock().today();
    let catalogues = services.catalogues();
    services
        .db()
        .run(move |conn| overview_on(conn, &catalogues, &visibility, &filter, today, detail))
        .await
}

/// What the overview is read from: while none of these has a new revision and the day is the
/// same, the overview is.
const OVERVIEW_READS: &[Subject] = &[
    Subject::Indicators,
    Subject::Agreements,
    Subject::Submissions,
    Subject::Transmissions,
];

/// The overview as `render` answers it, kept while what it is read from stands (`kept`): the
/// ministry's dashboards that poll it cost no statement while nothing changed. `key` names the
/// answer with every parameter `render` depends on besides these.
pub async fn overview_rendered<F>(
    services: &Services,
    visibility: Visibility,
    filter: Overview,
    key: String,
    render: F,
) -> Result<Arc<Rendered>, AppError>
where
    F: FnOnce(Vec<ObligationState>) -> Rendered + Send + 'static,
{
    let today = services.clock().today();
    let catalogues = services.catalogues();
    let key = format!("{today} {visibility:?} {filter:?} {key}");
    kept::read(
        services.db(),
        OVERVIEW_READS,
        &services.obligation_pages,
        key,
        move |conn| {
            let all = overview_on(conn, &catalogues, &visibility, &filter, today, Detail::Full)?;
            Ok(render(all))
        },
    )
    .await
}

fn overview_on(
    conn: &mut DbConnection,
    catalogues: &Catalogues,
    visibility: &Visibility,
    filter: &Overview,
    today: chrono::NaiveDate,
    detail: Detail,
) -> Result<Vec<ObligationState>, AppError> {
    let of_year = AgreementFilter {
        year: filter.year,
        traeger: filter.traeger.clone(),
        status: None,
    };
    let mut agreements = agreement_store::list(conn, visibility, &of_year, None, i64::MAX)?;
    agreements.retain(|a| {
        matches!(
            a.status,
            AgreementStatus::InForce | AgreementStatus::SignedByOne
        )
    });
    let mut all = states(conn, catalogues, visibility, agreements, today, detail)?;
    all.retain(|s| {
        filter.status.is_none_or(|st| s.progress.status == st)
            && filter
                .section
                .as_ref()
                .is_none_or(|sec| &s.obligation.content.section == sec)
    });
    Ok(all)
}
