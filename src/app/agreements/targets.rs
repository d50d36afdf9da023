//! An agreement's targets judged against the actual figures of its Träger, as known at a day:
//! BA's Kennzahlen month by month by their Datenstand, and a figure of the whole year from what
//! held of it then (the Träger's figure accepted by that day, BA's latest received by then).

use chrono::NaiveDate;

use super::visible;
use crate::app::indicators::catalogue;
use crate::app::{AppError, Services};
use crate::domain::actor::Visibility;
use crate::domain::agreement::Agreement;
use crate::domain::agreement::judging::{Judgement, accepted_figures, judge, known_months};
use crate::domain::ids::AgreementId;
use crate::domain::indicator::{Catalogue, Indicator, Source, Unit};
use crate::domain::submission::{Submission, SubmissionFilter};
use crate::domain::transmission::Transmission;
use crate::store::submissions as submission_store;
use crate::store::traeger as traeger_store;
use crate::store::transmissions::{self as transmission_store, Rows};

/// A target judged, with its indicator as the catalogue of the agreement's year defines it.
#[derive(Debug, Clone)]
pub struct Judged {
    pub judgement: Judgement,
    pub indicator: Option<Indicator>,
}

/// One agreement's targets judged, with its Träger's name.
#[derive(Debug, Clone)]
pub struct AgreementTargets {
    pub agreement: Agreement,
    pub traeger_name: String,
    pub judged: Vec<Judged>,
}

/// What targets are judged on.
struct Read {
    agreement: Agreement,
    traeger_name: String,
    /// Of the agreement's year and the year before, as the caller may see them, with the
    /// Träger's rows only.
    transmissions: Vec<Transmission>,
    /// The Träger's, of the same two years, as the caller may see them.
    submissions: Vec<Submission>,
    catalogue: Catalogue,
}

/// The agreement and what its targets are judged on.
async fn read(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
) -> Result<Read, AppError> {
    services
        .db()
        .run(move |conn| {
            let agreement = visible(conn, &visibility, &id)?;
            let ags = agreement.traeger.to_string();
            let only = [ags.as_str()];
            let mut transmissions = Vec::new();
            for year in [agreement.year - 1, agreement.year] {
                let all =
                    transmission_store::list(conn, &Visibility::All, Some(year), Rows::Of(&only))?;
                transmissions.extend(all.into_iter().filter_map(|t| t.seen_by(&visibility)));
            }
            let mut submissions = Vec::new();
            for year in [agreement.year - 1, agreement.year] {
                let filter = SubmissionFilter {
                    year: Some(year),
                    traeger: Some(agreement.traeger.clone()),
                    ..SubmissionFilter::default()
                };
                let all = submission_store::list(conn, &visibility, &filter, None, i64::MAX)?;
                submissions.extend(all.into_iter().filter_map(|s| s.seen_by(&visibility)));
            }
            let catalogue = catalogue(conn, agreement.year)?;
            let traeger_name = traeger_store::find(conn, &Visibility::All, &agreement.traeger)?
                .map(|t| t.content.name)
                .unwrap_or_default();
            Ok(Read {
                agreement,
                traeger_name,
                transmissions,
                submissions,
                catalogue,
            })
        })
        .await
}

/// The agreement's targets, each judged on the figures known at `as_of` (all when None): this
/// year's, and last year's for a change against the year before. A Träger or Jobcenter judges
/// on what was forwarded to it.
pub async fn judged(
    services: &Services,
    visibility: Visibility,
    id: AgreementId,
    as_of: Option<NaiveDate>,
) -> Result<AgreementTargets, AppError> {
    let Read {
        agreement,
        traeger_name,
        transmissions,
        submissions,
        catalogue,
    } = read(services, visibility, id).await?;
    let mut out = Vec::with_capacity(agreement.targets.len());
    for target in &agreement.targets {
        let indicator = catalogue.get(&target.indicator).cloned();
        let code = &target.indicator;
        let months = match &indicator {
            Some(ind) if ind.definition.source == Source::Traeger => {
                accepted_figures(&submissions, code, as_of)
            }
            _ => known_months(&transmissions, &agreement.traeger, code, as_of),
        };
        let unit = indicator
            .as_ref()
            .map_or(Unit::Count, |i| i.definition.unit);
        out.push(Judged {
            judgement: judge(target, agreement.year, unit, &months),
            indicator,
        });
    }
    Ok(AgreementTargets {
        agreement,
        traeger_name,
        judged: out,
    })
}
