//! Reference data shipped with the service and loaded at start-up: the 26 Träger of Hessen.
//! The service needs nothing outside its binary to run.

use serde::Deserialize;

use super::AppError;
use crate::domain::traeger::{Ags, TraegerContent, TraegerInput};
use crate::store::Db;

const TRAEGER_FILE: &str = include_str!("../../seed/traeger-hessen.json");

#[derive(Deserialize)]
struct RegistryFile {
    traeger: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    ags: String,
    name: String,
    kind: String,
    jobcenter: EntryJobcenter,
}

#[derive(Deserialize)]
struct EntryJobcenter {
    id: String,
    name: String,
    form: String,
}

/// The registry as shipped, validated by the same rules as the API applies.
pub fn traeger_registry() -> Result<Vec<(Ags, TraegerContent)>, String> {
    let file: RegistryFile =
        serde_json::from_str(TRAEGER_FILE).map_err(|e| format!("seed/traeger-hessen.json: {e}"))?;
    file.traeger
        .into_iter()
        .map(|e| {
            let ags = Ags::parse(&e.ags)?;
            let content = TraegerInput {
                name: Some(e.name),
                kind: Some(e.kind),
                jobcenter_id: Some(e.jobcenter.id),
                jobcenter_name: Some(e.jobcenter.name),
                jobcenter_form: Some(e.jobcenter.form),
            }
            .validate()
            .map_err(|v| format!("seed/traeger-hessen.json, Träger {ags}: {v:?}"))?;
            Ok((ags, content))
        })
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("reference data is broken: {0}")]
    Broken(String),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Adds what is missing; returns how many Träger were added.
pub async fn load(db: &Db) -> Result<usize, LoadError> {
    let registry = traeger_registry().map_err(LoadError::Broken)?;
    Ok(super::traeger::seed(db, registry).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::traeger::JobcenterForm;

    #[test]
    fn the_shipped_registry_holds_the_26_hessian_traeger() {
        let registry = traeger_registry().unwrap();
        assert_eq!(registry.len(), 26);
        let zkt = registry
            .iter()
            .filter(|(_, c)| c.jobcenter.form == JobcenterForm::Zkt)
            .count();
        // § 6a SGB II: 16 Optionskommunen in Hessen; the other 10 run a gE with the BA.
        assert_eq!((zkt, registry.len() - zkt), (16, 10));
    }
}
