//! The year's agreements for many Träger at once: HMSI drafts them from the template in one
//! call at the start of the year, instead of 26 calls.

use serde::{Deserialize, Serialize};

use super::drafting::{draft, template};
use crate::app::idempotency::{Outcome, fingerprint, write_once};
use crate::app::{AppError, Services};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::agreement::Agreement;
use crate::domain::ids::AgreementId;
use crate::domain::traeger::{Ags, TraegerFilter};
use crate::store::agreements as store;
use crate::store::traeger;

/// What the call did for one Träger.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Drafting {
    Created(Box<Agreement>),
    /// It has an agreement for the year already (a draft, signed or in force).
    Skipped(AgreementId),
}

/// Drafts `year`'s agreement from the template for each Träger named (every registered one when
/// none are), in one transaction: all of them or, when anything is wrong, none. A Träger with an
/// agreement for the year is skipped, so repeating the call creates nothing twice.
pub async fn draft_many(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    year: i32,
    named: Option<Vec<Ags>>,
    idempotency_key: Option<String>,
) -> Result<Outcome<Vec<(Ags, Drafting)>>, AppError> {
    let fp = fingerprint("agreement.bulk", &(year, &named));
    let clock = services.clock();
    let who = actor.clone();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        if template(conn, year)?.is_none() {
            return Err(AppError::invalid(
                "/year",
                format!(
                    "there is no template for {year}: roll over last year's agreements instead"
                ),
            ));
        }
        let all = match named {
            Some(list) => {
                for (i, ags) in list.iter().enumerate() {
                    if traeger::find(conn, &visibility, ags)?.is_none() {
                        return Err(AppError::invalid(
                            &format!("/traeger/{i}"),
                            format!("there is no Träger {ags}"),
                        ));
                    }
                }
                list
            }
            None => traeger::list(conn, &visibility, &TraegerFilter::default(), None, i64::MAX)?
                .into_iter()
                .map(|t| t.ags)
                .collect(),
        };
        let stamp = clock.stamp(&actor);
        let mut results = Vec::with_capacity(all.len());
        for ags in all {
            let outcome = match store::current(conn, &visibility, &ags, year)?.first() {
                Some(existing) => Drafting::Skipped(existing.id.clone()),
                None => {
                    let drafted = draft(conn, &actor, &visibility, &ags, year, None, &stamp)?;
                    Drafting::Created(Box::new(drafted.agreement))
                }
            };
            results.push((ags, outcome));
        }
        Ok(results)
    })
    .await
}
