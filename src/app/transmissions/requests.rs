//! HMSI records a request to BA statistics.

use crate::app::agreements::template;
use crate::app::idempotency::{Outcome, fingerprint, write_once};
use crate::app::indicators::catalogue;
use crate::app::{AppError, Services, record};
use crate::domain::actor::{Actor, Visibility};
use crate::domain::agreement::Recipient;
use crate::domain::transmission::{BaOffer, RequestInput, Transmission};
use crate::store::transmissions as store;
use crate::store::{DbConnection, agreements};

/// What BA can be asked for in `year`. A Träger receives an indicator when some obligation of
/// the year that asks for it (in an agreement, or the year's template) names the Träger as
/// recipient: BA statistics HMSI forwards (§ 2 (2), (4), (5), § 3 (3) of the agreement).
fn offer(conn: &mut DbConnection, visibility: &Visibility, year: i32) -> Result<BaOffer, AppError> {
    let mut offer = BaOffer {
        catalogue: catalogue(conn, year)?,
        ..BaOffer::default()
    };
    for (recipients, code) in agreements::indicator_recipients(conn, visibility, year)? {
        if recipients.contains(&Recipient::Traeger) {
            offer.to_traeger.insert(code);
        }
    }
    if let Some(template) = template(conn, year)? {
        offer.to_traeger.extend(template.received_by_traeger());
    }
    Ok(offer)
}

pub async fn create(
    services: &Services,
    actor: Actor,
    visibility: Visibility,
    input: RequestInput,
    idempotency_key: Option<String>,
) -> Result<Outcome<Transmission>, AppError> {
    let fp = fingerprint("transmission.create", &input);
    let who = actor.clone();
    let clock = services.clock();
    write_once(services, &who, idempotency_key, fp, move |conn| {
        let stamp = clock.stamp(&actor);
        let offer = input
            .year()
            .map(|year| offer(conn, &visibility, year))
            .transpose()?;
        let request = input
            .validate(stamp.today, offer.as_ref())
            .map_err(AppError::Invalid)?;
        let n = store::next_number(conn, request.year)?;
        let t = Transmission::request(n, request, &stamp);
        store::insert(conn, &t.state)?;
        record(conn, &actor, None, &t, stamp.at)?;
        Ok(t.state)
    })
    .await
}
