//! Example data on request (`zv-monitor seed --demo`), so a new user sees a full Swagger UI: the
//! 2023 agreements of every Träger, in force, with a year of their figures and of BA's data.
//! Never loaded by default. Everything it writes is marked: its actors are `demo-…`, its texts
//! start `[Demo]`, BA's references `DEMO`. It goes through the use cases like any client, so
//! the ledger and the change feed show it. Kassel's seeded agreement is left as the seed has
//! it, waiting for the Träger's signature.

mod ba;

use chrono::NaiveDate;

use super::submissions::{self, Acceptance, Step};
use super::{AppError, Clock, Mode, Services, agreements, reporting_bodies};
use crate::domain::actor::{Actor, Role, Visibility};
use crate::domain::agreement::{Agreement, Party, Signatory, SignatureInput};
use crate::domain::ids::{AgreementId, SubmissionId};
use crate::domain::reporting_body::ReportingBodyInput;
use crate::domain::submission::{Decision, DraftInput, ValueInput};
use crate::domain::traeger::{Ags, Traeger, TraegerFilter};
use crate::store::ledger;

/// The year of the shipped template, and the day the demonstration stands on: after the
/// deadline of 15 February 2024 for none of the figures, so nothing is late.
const YEAR: i32 = 2023;
const TODAY: &str = "2024-02-10";

/// What a demo load added.
#[derive(Debug, Default)]
pub struct Demo {
    pub agreements: usize,
    pub submissions: usize,
    pub transmissions: usize,
}

fn actor(role: Role, traeger: Option<&Ags>) -> Actor {
    let sub = match traeger {
        Some(ags) => format!("demo-{ags}"),
        None => "demo-hmsi".to_owned(),
    };
    Actor {
        sub,
        role,
        traeger: traeger.cloned(),
        request_id: format!("demo-{}", uuid::Uuid::new_v4()),
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date of the demonstration")
}

fn figure(code: &str, value: i64) -> ValueInput {
    ValueInput {
        indicator: Some(code.into()),
        value: Some(value.into()),
        ..ValueInput::default()
    }
}

/// Loads the demonstration, unless it is loaded already (the ledger knows `demo-hmsi`).
pub async fn load(services: &Services) -> Result<Option<Demo>, AppError> {
    let services = Services::new(services.db().clone(), Clock::new(Some(day(TODAY))));
    let loaded = services
        .db()
        .run(|conn| Ok::<_, AppError>(ledger::has_actor(conn, "demo-hmsi")?))
        .await?;
    if loaded {
        return Ok(None);
    }
    let hmsi = actor(Role::Hmsi, None);
    let all = Visibility::All;
    let (registry, _) =
        super::traeger::list(&services, all.clone(), TraegerFilter::default(), None, 100).await?;
    let mut demo = Demo::default();
    let drafted =
        agreements::draft_many(&services, hmsi.clone(), all.clone(), YEAR, None, None).await?;
    for (ags, outcome) in drafted.value {
        let agreements::Drafting::Created(a) = outcome else {
            continue;
        };
        let Some(i) = registry.iter().position(|t| t.ags == ags) else {
            continue;
        };
        sign_both(&services, &hmsi, &registry[i], a.id.clone()).await?;
        demo.agreements += 1;
        demo.submissions += deliver(&services, &registry[i], i, &a).await?;
    }
    demo.transmissions = ba::data(&services, &hmsi, &registry).await?;
    demo.transmissions += ba::kennzahlen(&services, &hmsi, &registry).await?;
    Ok(Some(demo))
}

fn signature(who: &str, function: &str, place: &str, on: &str) -> SignatureInput {
    SignatureInput {
        signatories: vec![Signatory {
            name: format!("[Demo] {who}"),
            function: function.into(),
        }],
        place: place.into(),
        signed_on: day(on),
    }
}

/// Where a Träger signs: its seat, as its name says it.
fn seat(name: &str) -> &str {
    let kinds = [
        "Landkreis ",
        "Kreis ",
        "Stadt ",
        "Wissenschaftsstadt ",
        "Landeshauptstadt ",
    ];
    kinds
        .iter()
        .find_map(|k| name.strip_prefix(k))
        .unwrap_or(name)
}

/// HMSI signs in Wiesbaden on 24 January, the Träger two weeks later.
async fn sign_both(
    services: &Services,
    hmsi: &Actor,
    t: &Traeger,
    id: AgreementId,
) -> Result<(), AppError> {
    let ministry = signature(
        "Referatsleitung III 2",
        "Abteilung III „Arbeit“",
        "Wiesbaden",
        "2023-01-24",
    );
    let all = Visibility::All;
    agreements::sign(
        services,
        hmsi.clone(),
        all,
        id.clone(),
        Party::Hmsi,
        ministry,
    )
    .await?;
    let name = &t.content.name;
    let own = signature(
        &format!("Leitung {name}"),
        "für den kommunalen Träger",
        seat(name),
        "2023-02-07",
    );
    let by = actor(Role::Traeger, Some(&t.ags));
    let seen = Visibility::Traeger(t.ags.clone());
    agreements::sign(services, by, seen, id, Party::Traeger, own).await?;
    Ok(())
}

/// The Träger's two Schuldnerberatungsstellen, registered; their names.
async fn register_bodies(services: &Services, t: &Traeger) -> Result<[String; 2], AppError> {
    let name = &t.content.name;
    let bodies = [
        format!("[Demo] Schuldnerberatung des Diakonischen Werks, {name}"),
        format!("[Demo] Kommunale Schuldnerberatung, {name}"),
    ];
    for body in &bodies {
        let input = ReportingBodyInput {
            name: Some(body.clone()),
            kind: Some("schuldnerberatung".into()),
            active: None,
        };
        let (by, seen) = (
            actor(Role::Traeger, Some(&t.ags)),
            Visibility::Traeger(t.ags.clone()),
        );
        reporting_bodies::register(services, by, seen, t.ags.clone(), input, None).await?;
    }
    Ok(bodies)
}

fn figures(values: Vec<ValueInput>) -> DraftInput {
    DraftInput {
        values,
        confirmation: None,
    }
}

/// What the `i`-th Träger delivers, by the position of the obligation (from 1): § 2 (3) broken
/// down by its two bodies, the § 3 (3) report, the § 5 (1) confirmation, and § 2 (1) unless it
/// is every fifth, which leaves it overdue.
fn drafts(t: &Traeger, i: usize, bodies: &[String; 2]) -> Vec<(usize, DraftInput)> {
    let n = i as i64;
    let stock = 200 + (n * 37) % 300;
    let inflow = 150 + (n * 23) % 200;
    let mut debt = vec![
        figure("debt_counselling_stock", stock),
        figure("debt_counselling_stock_sgb2", stock * 45 / 100),
        figure("debt_counselling_inflow", inflow),
        figure("debt_counselling_inflow_sgb2", inflow * 40 / 100),
    ];
    let first = stock * 6 / 10;
    debt[0].breakdown = Some(vec![
        (Some(bodies[0].clone()), Some(first.into())),
        (Some(bodies[1].clone()), Some((stock - first).into())),
    ]);
    let report = format!(
        "[Demo] Bericht über die Umsetzung von Bildung und Teilhabe 2023 in {}: Beratung in \
         allen Bürgerbüros, Lernförderung an {} Schulen, gemeinsame Mittagsverpflegung in allen \
         Kindertagesstätten.",
        t.content.name,
        8 + n % 12
    );
    let surveys = "[Demo] Teilnahme an der Fachtagung des HMSI am 14.11.2023 in Frankfurt am Main";
    let mut out = vec![
        (3, figures(debt)),
        (
            6,
            figures(vec![figure_text("but_implementation_report", &report)]),
        ),
        (
            9,
            DraftInput {
                values: Vec::new(),
                confirmation: Some(surveys.into()),
            },
        ),
    ];
    if i % 5 != 4 {
        let childcare = vec![
            figure("childcare_u3", 20 + (n * 7) % 40),
            figure("childcare_school", 60 + (n * 13) % 90),
        ];
        out.insert(0, (1, figures(childcare)));
    }
    out
}

/// The `i`-th Träger delivers, and HMSI reviews as varied as a real year: every seventh's
/// § 2 (3) is returned, the reports wait for review, the rest are accepted. The number
/// delivered.
async fn deliver(
    services: &Services,
    t: &Traeger,
    i: usize,
    a: &Agreement,
) -> Result<usize, AppError> {
    let bodies = register_bodies(services, t).await?;
    let me = actor(Role::Traeger, Some(&t.ags));
    let own = Visibility::Traeger(t.ags.clone());
    let hmsi = actor(Role::Hmsi, None);
    let drafts = drafts(t, i, &bodies);
    let mut accept = Vec::new();
    for (position, draft) in &drafts {
        let obligation = a.id.obligation(position - 1);
        let (by, seen) = (me.clone(), own.clone());
        submissions::create(
            services,
            by,
            seen,
            obligation.to_string(),
            draft.clone(),
            Mode::Write,
            None,
        )
        .await?;
        let id = SubmissionId::of(&obligation);
        submissions::submit(services, Step::write(me.clone(), own.clone(), id.clone())).await?;
        match position {
            3 if i % 7 == 3 => {
                let reason = "[Demo] Zugänge aus SGB II-Bedarfsgemeinschaften fehlen für eine Beratungsstelle.";
                let step = Step::write(hmsi.clone(), Visibility::All, id);
                submissions::review(services, step, Decision::Return(reason.into())).await?;
            }
            6 => {}
            _ => accept.push(Acceptance {
                id,
                expected_version: None,
            }),
        }
    }
    submissions::accept_many(services, hmsi, Visibility::All, accept, None).await?;
    Ok(drafts.len())
}

fn figure_text(code: &str, text: &str) -> ValueInput {
    ValueInput {
        indicator: Some(code.into()),
        value: Some(text.into()),
        ..ValueInput::default()
    }
}
