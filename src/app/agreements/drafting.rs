//! New drafts: from the year's template, as a copy of another agreement (its successor, if
//! it is the signed one of the same year), or for every Träger at once when a year rolls over.

use serde::{Deserialize, Serialize};

use super::signed;
use crate::app::idempotency::{Outcome, fingerprint, write_once};
use crate::app::indicators::catalogue;
use crate::app::{AppError, Services, record};
use crate::domain::actor::{Actor, Stamp, Visibility};
use crate::domain::agreement::{
    Agreement, AgreementContent, AgreementFilter, AgreementStatus, Party, SignatureInput, Template,
    Unmapped, successor_slot,
};
use crate::domain::ids::AgreementId;
use crate::domain::traeger::{Ags, TraegerContent};
use crate::store::agreements as store;
use crate::store::pool::write_transaction;
use crate::store::{DbConnection, traeger};

/// A new draft, and the indicators its source had that the new year's catalogue lacks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Drafted {
    pub agreement: Agreement,
    pub unmapped: Vec<Unmapped>,
}

/// The content `party`'s new draft starts from: a copy of `copy_from` carried to `year`, or
/// the year's template worded for the Träger.
fn starting_content(
    conn: &mut DbConnection,
    visibility: &Visibility,
    party: &TraegerContent,
    year: i32,
    copy_from: Option<&str>,
) -> Result<(AgreementContent, Vec<Unmapped>, Option<Agreement>), AppError> {
    let catalogue = catalogue(conn, year)?;
    if let Some(raw) = copy_from {
        let unknown = || AppError::invalid("/copy_from", format!("there is no agreement `{raw}`"));
        let source_id = AgreementId::parse(raw).map_err(|_| unknown())?;
        let source = store::find(conn, visibility, &source_id)?.ok_or_else(unknown)?;
        let (content, unmapped) = source
            .content()
            .carried_forward(year - source.year, &catalogue);
        return Ok((content, unmapped, Some(source)));
    }
    let template = template(conn, year)?.ok_or_else(|| {
        AppError::invalid(
            "/copy_from",
            format!("there is no template for {year}: name an agreement to copy in `copy_from`"),
        )
    })?;
    let content = template
        .input_for(party)
        .validate(&catalogue, year, party.jobcenter.form)
        .map_err(AppError::Invalid)?;
    Ok((content, Vec::new(), None))
}

/// The shipped wording of `year`, if there is one.
pub fn template(conn: &mut DbConnection, year: i32) -> Result<Option<Template>, AppError> {
    store::template(conn, year)?
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                AppError::Database(diesel::result::Error::DeserializationError(Box::new(e)))
            })
        })
        .transpose()
}

/// Creates a draft inside the caller's transaction.
pub(super) fn draft(
    conn: &mut DbConnection,
    actor: &Actor,
    visibility: &Visibility,
    traeger: &Ags,
    year: i32,
    copy_from: Option<&str>,
    stamp: &Stamp,
) -> Result<Drafted, AppError> {
    traeger::lock(conn, traeger)?;
    let Some(party) = traeger::find(conn, visibility, traeger)? else {
        return Err(AppError::invalid(
            "/traeger",
            format!("there is no Träger {traeger}"),
        ));
    };
    let (content, unmapped, source) =
        starting_content(conn, visibility, &party.content, year, copy_from)?;
    let current = store::current(conn, visibility, traeger, year)?;
    let supersedes = successor_slot(&current, source.as_ref(), traeger, year)?;
    let n = store::next_number(conn, traeger, year)?;
    let t = Agreement::draft(traeger, year, n, content, supersedes, stamp);
    store::insert(conn, &t.state)?;
    record(conn, actor, None, &t, stamp.at)?;
    Ok(Drafted {
        agreement: t.state,
        unmapped,
    })
}

pub async fn create(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    traeger: Ags,
    year: i32,
    copy_from: Option<String>,
    idempotency_key: Option<String>,
) -> Result<Outcome<Drafted>, AppError> {
    let fp = fingerprint("agreement.create", &(&traeger, year, &copy_from));
    let who = actor.clone();
    let clock = services.clock();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        let stamp = clock.stamp(&actor);
        let from = copy_from.as_deref();
        draft(conn, &actor, &visibility, &traeger, year, from, &stamp)
    })
    .await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skipped {
    pub traeger: Ags,
    pub existing: AgreementId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnmappedIn {
    pub traeger: Ags,
    pub agreement: AgreementId,
    #[serde(flatten)]
    pub unmapped: Unmapped,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rollover {
    pub created: Vec<Agreement>,
    pub skipped: Vec<Skipped>,
    pub unmapped: Vec<UnmappedIn>,
}

/// Drafts for `to_year` from every Träger's current agreement of `from_year`. Träger that have
/// an agreement for `to_year` already are skipped, so repeating the call creates nothing twice.
pub async fn rollover(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    from_year: i32,
    to_year: i32,
) -> Result<Rollover, AppError> {
    let clock = services.clock();
    services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let stamp = clock.stamp(&actor);
                let mut result = Rollover::default();
                let from = AgreementFilter {
                    year: Some(from_year),
                    ..AgreementFilter::default()
                };
                let sources = store::list(conn, &visibility, &from, None, i64::MAX)?;
                for source in sources
                    .into_iter()
                    .filter(|a| a.status != AgreementStatus::Superseded)
                {
                    let t = &source.traeger;
                    if let Some(existing) = store::current(conn, &visibility, t, to_year)?.first() {
                        result.skipped.push(Skipped {
                            traeger: t.clone(),
                            existing: existing.id.clone(),
                        });
                        continue;
                    }
                    let from = Some(source.id.as_str());
                    let drafted = draft(conn, &actor, &visibility, t, to_year, from, &stamp)?;
                    result
                        .unmapped
                        .extend(drafted.unmapped.into_iter().map(|u| UnmappedIn {
                            traeger: t.clone(),
                            agreement: drafted.agreement.id.clone(),
                            unmapped: u,
                        }));
                    result.created.push(drafted.agreement);
                }
                Ok(result)
            })
        })
        .await
}

/// Seeds a signed agreement as the reference data describes it, if the Träger has none for
/// that year yet. The signature happened in the past, so the real date is the business date.
pub fn seed_signed(
    conn: &mut DbConnection,
    actor: &Actor,
    traeger: &Ags,
    year: i32,
    signature: SignatureInput,
) -> Result<bool, AppError> {
    if store::count_for(conn, traeger, year)? > 0 {
        return Ok(false);
    }
    let stamp = crate::app::Clock::default().stamp(actor);
    let all = Visibility::All;
    let drafted = draft(conn, actor, &all, traeger, year, None, &stamp)?;
    signed(
        conn,
        actor,
        &all,
        drafted.agreement,
        Party::Hmsi,
        signature,
        &stamp,
    )?;
    Ok(true)
}
