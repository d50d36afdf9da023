//! Loads the reference data shipped with the service (see `domain::reference`) at start-up.

use super::agreements::seed_signed;
use super::{AppError, Services, now};
use crate::domain::actor::Actor;
use crate::domain::reference::{
    agreement_template, indicator_catalogue, signed_agreements, traeger_registry,
};
use crate::store::agreements as agreement_store;
use crate::store::pool::write_transaction;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reference data is broken: {0}")]
    Broken(String),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What a start-up load added.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub traeger: usize,
    pub indicators: usize,
    pub agreements: usize,
}

/// Adds what is missing, in one transaction; safe on every start and by several replicas at
/// once. What HMSI has changed through the API is left as it is.
pub async fn load(services: &Services) -> Result<Loaded, LoadError> {
    let registry = traeger_registry().map_err(LoadError::Broken)?;
    let catalogue = indicator_catalogue(now()).map_err(LoadError::Broken)?;
    let (template_year, template) = agreement_template().map_err(LoadError::Broken)?;
    let template_text =
        serde_json::to_string(&template).map_err(|e| LoadError::Broken(e.to_string()))?;
    let signed = signed_agreements().map_err(LoadError::Broken)?;
    let actor = Actor::system("seed");
    let loaded = services
        .db()
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let mut loaded = Loaded {
                    traeger: super::traeger::seed(conn, &actor, registry)?,
                    indicators: super::indicators::seed(conn, &actor, catalogue)?,
                    agreements: 0,
                };
                // The shipped wording is the service's own (no endpoint changes it): a newer
                // release's replaces the stored one, for drafts made from now on.
                let stored = agreement_store::template(conn, template_year)?;
                if stored.as_deref() != Some(template_text.as_str()) {
                    agreement_store::put_template(conn, template_year, &template_text)?;
                }
                for (ags, year, signature) in signed {
                    loaded.agreements +=
                        usize::from(seed_signed(conn, &actor, &ags, year, signature)?);
                }
                Ok::<_, AppError>(loaded)
            })
        })
        .await?;
    Ok(loaded)
}
