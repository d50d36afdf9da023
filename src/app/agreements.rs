//! Agreements: drafted and edited by HMSI, signed by both parties, rolled from year to year.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::idempotency::{Outcome, fingerprint, write_once};
use super::indicators::catalogue;
use super::{AppError, Clock, now};
use crate::domain::Violation;
use crate::domain::actor::{Actor, Visibility};
use crate::domain::agreement::{
    Agreement, AgreementContent, AgreementInput, AgreementStatus, ObligationInput, Party,
    SignRefusal, Signatory, Signature, Unmapped,
};
use crate::domain::audit::Change;
use crate::domain::traeger::Ags;
use crate::store::agreements::{self as store, AgreementFilter};
use crate::store::pool::write_transaction;
use crate::store::{Db, DbConnection, ledger, traeger};

const ENTITY: &str = "agreement";

/// One page, and whether more follow.
pub async fn list(
    db: &Db,
    visibility: Visibility,
    mut filter: AgreementFilter,
    after: Option<String>,
    limit: i64,
) -> Result<(Vec<Agreement>, bool), AppError> {
    filter.only = visibility.only().cloned();
    let items = db
        .run(move |conn| {
            store::list(conn, &filter, after.as_deref(), limit + 1).map_err(AppError::from)
        })
        .await?;
    Ok(super::split_page(items, limit))
}

pub(super) fn visible(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &str,
) -> Result<Agreement, AppError> {
    // Another Träger's agreement is reported as absent, never as forbidden.
    store::find(conn, id)?
        .filter(|a| visibility.sees(&a.traeger))
        .ok_or(AppError::NotFound)
}

pub async fn find(db: &Db, visibility: Visibility, id: String) -> Result<Agreement, AppError> {
    db.run(move |conn| visible(conn, &visibility, &id)).await
}

/// A new draft, and the indicators its source had that the new year's catalogue lacks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Drafted {
    pub agreement: Agreement,
    pub unmapped: Vec<Unmapped>,
}

/// The shipped wording of a year, as stored in `agreement_templates`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template {
    pub legal_basis: String,
    pub benefits: String,
    pub sections: Vec<TemplateSection>,
    pub obligations: Vec<TemplateObligation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateSection {
    pub section: String,
    pub title_de: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateObligation {
    pub section: String,
    pub title_de: String,
    pub delivered_by: String,
    pub recipients: Vec<String>,
    pub indicators: Vec<String>,
    pub due: Option<String>,
    pub note: Option<String>,
}

impl Template {
    pub fn input(&self) -> AgreementInput {
        AgreementInput {
            kind: Some("reporting".into()),
            legal_basis: Some(self.legal_basis.clone()),
            benefits: Some(self.benefits.clone()),
            sections: Some(
                self.sections
                    .iter()
                    .map(|s| (Some(s.section.clone()), Some(s.title_de.clone())))
                    .collect(),
            ),
            obligations: Some(
                self.obligations
                    .iter()
                    .map(|o| ObligationInput {
                        section: Some(o.section.clone()),
                        title_de: Some(o.title_de.clone()),
                        delivered_by: Some(o.delivered_by.clone()),
                        recipients: Some(o.recipients.clone()),
                        indicators: Some(o.indicators.clone()),
                        due: o.due.clone(),
                        note: o.note.clone(),
                    })
                    .collect(),
            ),
            targets: None,
        }
    }
}

fn invalid(pointer: &str, message: String) -> AppError {
    AppError::Invalid(vec![Violation::new(pointer, message)])
}

/// The content a new draft starts from: a copy of `copy_from` carried to `year`, or the
/// year's template.
fn starting_content(
    conn: &mut DbConnection,
    year: i32,
    copy_from: Option<&str>,
) -> Result<(AgreementContent, Vec<Unmapped>, Option<Agreement>), AppError> {
    let catalogue = catalogue(conn, year)?;
    if let Some(source_id) = copy_from {
        let source = store::find(conn, source_id)?
            .ok_or_else(|| invalid("/copy_from", format!("there is no agreement `{source_id}`")))?;
        let (content, unmapped) = source
            .content()
            .carried_forward(year - source.year, &catalogue);
        return Ok((content, unmapped, Some(source)));
    }
    let text = store::template(conn, year)?.ok_or_else(|| {
        invalid(
            "/copy_from",
            format!("there is no template for {year}: name an agreement to copy in `copy_from`"),
        )
    })?;
    let template: Template = serde_json::from_str(&text).map_err(|e| {
        AppError::Database(diesel::result::Error::DeserializationError(Box::new(e)))
    })?;
    let content = template
        .input()
        .validate(&catalogue, year)
        .map_err(AppError::Invalid)?;
    Ok((content, Vec::new(), None))
}

/// Creates a draft inside the caller's transaction.
fn draft(
    conn: &mut DbConnection,
    actor: &Actor,
    traeger: &Ags,
    year: i32,
    copy_from: Option<&str>,
) -> Result<Drafted, AppError> {
    traeger::lock(conn, traeger)?;
    if traeger::find(conn, traeger)?.is_none() {
        return Err(invalid("/traeger", format!("there is no Träger {traeger}")));
    }
    let (content, unmapped, source) = starting_content(conn, year, copy_from)?;
    let current = store::current(conn, traeger, year)?;
    // One agreement per Träger and year, except the draft that will supersede a signed one.
    let supersedes = match (current.as_slice(), &source) {
        ([], _) => None,
        ([only], Some(src)) if only.id == src.id && only.status != AgreementStatus::Draft => {
            Some(only.id.clone())
        }
        (existing, _) => {
            return Err(AppError::Conflict(format!(
                "Träger {traeger} has an agreement for {year} already: {}; to change a signed \
                 one, create a draft with `copy_from` set to it",
                existing
                    .iter()
                    .map(|a| a.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    let n = store::count_for(conn, traeger, year)? + 1;
    let at = now();
    let agreement = Agreement {
        id: Agreement::make_id(year, traeger, n),
        traeger: traeger.clone(),
        year,
        status: AgreementStatus::Draft,
        supersedes,
        kind: content.kind,
        legal_basis: String::new(),
        benefits: String::new(),
        sections: Vec::new(),
        obligations: Vec::new(),
        targets: Vec::new(),
        signatures: Vec::new(),
        version: 1,
        created_at: at,
        updated_at: at,
    }
    .with_content(content);
    store::insert(conn, &agreement)?;
    ledger::append(
        conn,
        actor,
        at,
        Change::of("create", ENTITY, &agreement.id, None, Some(&agreement)),
    )?;
    Ok(Drafted {
        agreement,
        unmapped,
    })
}

pub async fn create(
    db: &Db,
    actor: Actor,
    traeger: Ags,
    year: i32,
    copy_from: Option<String>,
    idempotency_key: Option<String>,
) -> Result<Outcome<Drafted>, AppError> {
    let fp = fingerprint("agreement.create", &(&traeger, year, &copy_from));
    let who = actor.clone();
    write_once(db, &who, idempotency_key, fp, move |conn| {
        draft(conn, &actor, &traeger, year, copy_from.as_deref())
    })
    .await
}

/// Replaces the content of a draft; a signed agreement is immutable.
pub async fn update(
    db: &Db,
    actor: Actor,
    id: String,
    expected_version: Option<i64>,
    input: AgreementInput,
) -> Result<Agreement, AppError> {
    db.run(move |conn| {
        write_transaction(conn, |conn| {
            store::lock(conn, &id)?;
            let current = store::find(conn, &id)?.ok_or(AppError::NotFound)?;
            if expected_version.is_some_and(|v| v != current.version) {
                return Err(AppError::PreconditionFailed);
            }
            if !current.editable() {
                return Err(AppError::Conflict(format!(
                    "agreement {id} is {} and signed texts never change: create a new draft \
                     with `copy_from` set to it, which supersedes it once in force",
                    current.status.as_str()
                )));
            }
            let content = input
                .validate(&catalogue(conn, current.year)?, current.year)
                .map_err(AppError::Invalid)?;
            if content == current.content() {
                return Ok(current);
            }
            let updated = Agreement {
                version: current.version + 1,
                updated_at: now(),
                ..current.clone()
            }
            .with_content(content);
            if !store::replace(conn, &updated, current.version)? {
                return Err(AppError::PreconditionFailed);
            }
            ledger::append(
                conn,
                &actor,
                updated.updated_at,
                Change::of("update", ENTITY, &id, Some(&current), Some(&updated)),
            )?;
            Ok(updated)
        })
    })
    .await
}

/// What a party's signature says; who recorded it comes from the token.
#[derive(Debug, Clone)]
pub struct SignatureInput {
    pub signatories: Vec<Signatory>,
    pub place: String,
    pub signed_on: NaiveDate,
}

fn record_signature(
    conn: &mut DbConnection,
    actor: &Actor,
    current: Agreement,
    party: Party,
    input: SignatureInput,
) -> Result<Agreement, AppError> {
    let status = current.status_after_signing(party).map_err(|r| match r {
        SignRefusal::AlreadySigned(p) => AppError::Conflict(format!(
            "agreement {} is signed for {} already",
            current.id,
            p.as_str()
        )),
        SignRefusal::Superseded => {
            AppError::Conflict(format!("agreement {} is superseded", current.id))
        }
    })?;
    let at = now();
    let signature = Signature {
        party,
        signatories: input.signatories,
        place: input.place,
        signed_on: input.signed_on,
        recorded_by: actor.sub.clone(),
        recorded_at: at,
    };
    store::insert_signature(conn, &current.id, &signature)?;
    let mut signed = current.clone();
    signed.signatures.push(signature);
    signed.status = status;
    signed.version += 1;
    signed.updated_at = at;
    store::set_status(conn, &signed.id, status, signed.version, at)?;
    ledger::append(
        conn,
        actor,
        at,
        Change::of("sign", ENTITY, &signed.id, Some(&current), Some(&signed)),
    )?;
    if status == AgreementStatus::InForce
        && let Some(old_id) = &signed.supersedes
    {
        let old = store::find(conn, old_id)?.ok_or(AppError::NotFound)?;
        let mut superseded = old.clone();
        superseded.status = AgreementStatus::Superseded;
        superseded.version += 1;
        superseded.updated_at = at;
        store::set_status(conn, old_id, superseded.status, superseded.version, at)?;
        ledger::append(
            conn,
            actor,
            at,
            Change::of(
                "supersede",
                ENTITY,
                old_id.as_str(),
                Some(&old),
                Some(&superseded),
            ),
        )?;
    }
    Ok(signed)
}

/// Records the signature of `party`; the second signature puts the agreement in force.
pub async fn sign(
    db: &Db,
    actor: Actor,
    visibility: Visibility,
    id: String,
    party: Party,
    input: SignatureInput,
    clock: Clock,
) -> Result<Agreement, AppError> {
    if input.signed_on > clock.today() {
        return Err(invalid(
            "/signed_on",
            format!("{} lies in the future", input.signed_on),
        ));
    }
    db.run(move |conn| {
        write_transaction(conn, |conn| {
            store::lock(conn, &id)?;
            let current = visible(conn, &visibility, &id)?;
            record_signature(conn, &actor, current, party, input)
        })
    })
    .await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skipped {
    pub traeger: Ags,
    pub existing: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnmappedIn {
    pub traeger: Ags,
    pub agreement: String,
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
    db: &Db,
    actor: Actor,
    from_year: i32,
    to_year: i32,
) -> Result<Rollover, AppError> {
    db.run(move |conn| {
        write_transaction(conn, |conn| {
            let mut result = Rollover::default();
            let sources = store::list(
                conn,
                &AgreementFilter {
                    year: Some(from_year),
                    ..AgreementFilter::default()
                },
                None,
                i64::MAX,
            )?;
            for source in sources
                .into_iter()
                .filter(|a| a.status != AgreementStatus::Superseded)
            {
                if let Some(existing) = store::current(conn, &source.traeger, to_year)?.first() {
                    result.skipped.push(Skipped {
                        traeger: source.traeger.clone(),
                        existing: existing.id.clone(),
                    });
                    continue;
                }
                let drafted = draft(conn, &actor, &source.traeger, to_year, Some(&source.id))?;
                result
                    .unmapped
                    .extend(drafted.unmapped.into_iter().map(|u| UnmappedIn {
                        traeger: source.traeger.clone(),
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
/// that year yet.
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
    let drafted = draft(conn, actor, traeger, year, None)?;
    record_signature(conn, actor, drafted.agreement, Party::Hmsi, signature)?;
    Ok(true)
}
