//! Who may do what: one table, consulted by every handler before it acts.
//!
//! Roles follow the agreement (DOMAIN.md); scopes separate writers from read-only accounts
//! such as the HMSI data warehouse. What a principal may *see* is answered here too: HMSI sees
//! every Träger, a Träger or Jobcenter token only its own.

use super::Principal;
use crate::domain::actor::{Role, Visibility};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ReadRegistry,
    MaintainRegistry,
    MaintainReportingBodies,
    ReadAudit,
    ReadCatalogue,
    MaintainCatalogue,
    ReadAgreements,
    DraftAgreements,
    SignAgreement,
    ReadSubmissions,
    DeliverFigures,
    ReviewSubmissions,
    ConfirmReceipt,
    ReadTransmissions,
    RequestStatistics,
    AcknowledgeTransmission,
    ReadChanges,
    ReadExports,
    ReadEvents,
    ReadSubscriptions,
    ManageSubscriptions,
    ReadReports,
    ReadSeries,
}

const ALL: &[Role] = &[Role::Hmsi, Role::Traeger, Role::Jobcenter];
const HMSI: &[Role] = &[Role::Hmsi];
/// The two parties of an agreement; the Jobcenter is a recipient, never a party.
const PARTIES: &[Role] = &[Role::Hmsi, Role::Traeger];
/// § 2 (1), (3) and § 3 (3): the Träger delivers its own figures.
const TRAEGER: &[Role] = &[Role::Traeger];
/// The recipients of a Träger's figures: its Jobcenter and HMSI.
const RECIPIENTS: &[Role] = &[Role::Jobcenter, Role::Hmsi];

impl Permission {
    /// The roles allowed, and the scope their token must hold.
    const fn rule(self) -> (&'static [Role], Scope) {
        match self {
            Permission::ReadRegistry => (ALL, Scope::Read),
            Permission::MaintainRegistry => (HMSI, Scope::Write),
            // The Träger knows its Jugendämter and Schuldnerberatungsstellen; HMSI may help.
            Permission::MaintainReportingBodies => (PARTIES, Scope::Write),
            Permission::ReadAudit => (HMSI, Scope::Read),
            Permission::ReadCatalogue => (ALL, Scope::Read),
            Permission::MaintainCatalogue => (HMSI, Scope::Write),
            Permission::ReadAgreements => (ALL, Scope::Read),
            Permission::DraftAgreements => (HMSI, Scope::Write),
            Permission::SignAgreement => (PARTIES, Scope::Write),
            Permission::ReadSubmissions => (ALL, Scope::Read),
            Permission::DeliverFigures => (TRAEGER, Scope::Write),
            Permission::ReviewSubmissions => (HMSI, Scope::Write),
            Permission::ConfirmReceipt => (RECIPIENTS, Scope::Write),
            Permission::ReadTransmissions => (ALL, Scope::Read),
            Permission::RequestStatistics => (HMSI, Scope::Write),
            // § 2 (2), (4), (5): HMSI forwards BA data to the kommunaler Träger.
            Permission::AcknowledgeTransmission => (TRAEGER, Scope::Write),
            // The data warehouse pulls everything: HMSI's own view, read-only.
            Permission::ReadChanges => (HMSI, Scope::Read),
            Permission::ReadExports => (ALL, Scope::Read),
            // Each role reads the events it would be sent (see `domain::notice`).
            Permission::ReadEvents => (ALL, Scope::Read),
            // Each role its own subscriptions, for the events it may know of; HMSI all.
            Permission::ReadSubscriptions => (ALL, Scope::Read),
            Permission::ManageSubscriptions => (ALL, Scope::Write),
            // Across all Träger, by name: HMSI's view only.
            Permission::ReadReports => (HMSI, Scope::Read),
            // Within the caller's visibility, like the facts export.
            Permission::ReadSeries => (ALL, Scope::Read),
        }
    }
}

/// Why a principal may not do this; the text is shown to the caller.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Forbidden(pub String);

/// Allows or refuses `permission`; when allowed, says which Träger's objects are visible.
pub fn authorize(p: &Principal, permission: Permission) -> Result<Visibility, Forbidden> {
    let (roles, scope) = permission.rule();
    if !roles.contains(&p.role) {
        return Err(Forbidden(format!(
            "the role `{}` may not do this; allowed: {}",
            p.role,
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let held = match scope {
        Scope::Read => p.scopes.read,
        Scope::Write => p.scopes.write,
    };
    if !held {
        let name = if scope == Scope::Read {
            "read"
        } else {
            "write"
        };
        return Err(Forbidden(format!(
            "this needs the scope `{name}` in the token"
        )));
    }
    Ok(match (&p.role, &p.traeger) {
        (Role::Hmsi, _) => Visibility::All,
        (Role::Jobcenter, Some(own)) => Visibility::Jobcenter(own.clone()),
        (_, Some(own)) => Visibility::Traeger(own.clone()),
        // Principal::from_claims refuses Träger-bound roles without a Träger.
        (_, None) => return Err(Forbidden("the token is bound to no Träger".into())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::principal::Scopes;
    use crate::domain::traeger::Ags;

    fn principal(role: Role, scope: &str) -> Principal {
        Principal {
            sub: "x".into(),
            role,
            traeger: (role != Role::Hmsi).then(|| Ags::parse("06633").unwrap()),
            jobcenter: (role == Role::Jobcenter).then(|| "jc-06633".into()),
            scopes: Scopes::parse(scope),
            request_id: "r".into(),
        }
    }

    #[test]
    fn the_table() {
        use Permission::*;
        use Role::*;
        let cases = [
            (ReadRegistry, Hmsi, "read", true),
            (ReadRegistry, Traeger, "read", true),
            (ReadRegistry, Jobcenter, "read", true),
            (ReadRegistry, Hmsi, "write", false),
            (MaintainRegistry, Hmsi, "read write", true),
            (MaintainRegistry, Hmsi, "read", false),
            (MaintainRegistry, Traeger, "read write", false),
            (MaintainRegistry, Jobcenter, "read write", false),
            (ReadAudit, Hmsi, "read", true),
            (ReadAudit, Traeger, "read write", false),
            (ReadCatalogue, Jobcenter, "read", true),
            (MaintainCatalogue, Hmsi, "write", true),
            (MaintainCatalogue, Traeger, "read write", false),
            (ReadAgreements, Jobcenter, "read", true),
            (DraftAgreements, Hmsi, "read write", true),
            (DraftAgreements, Traeger, "read write", false),
            (SignAgreement, Hmsi, "write", true),
            (SignAgreement, Traeger, "write", true),
            (SignAgreement, Traeger, "read", false),
            (SignAgreement, Jobcenter, "read write", false),
            (ReadSubmissions, Jobcenter, "read", true),
            (DeliverFigures, Traeger, "write", true),
            (DeliverFigures, Hmsi, "read write", false),
            (DeliverFigures, Jobcenter, "read write", false),
            (MaintainReportingBodies, Traeger, "write", true),
            (MaintainReportingBodies, Hmsi, "write", true),
            (MaintainReportingBodies, Jobcenter, "read write", false),
            (MaintainReportingBodies, Traeger, "read", false),
            (ReviewSubmissions, Hmsi, "write", true),
            (ReviewSubmissions, Traeger, "read write", false),
            (ConfirmReceipt, Jobcenter, "write", true),
            (ConfirmReceipt, Jobcenter, "read", false),
            (ConfirmReceipt, Hmsi, "write", true),
            (ConfirmReceipt, Traeger, "read write", false),
            (ReadTransmissions, Jobcenter, "read", true),
            (RequestStatistics, Hmsi, "write", true),
            (RequestStatistics, Traeger, "read write", false),
            (AcknowledgeTransmission, Traeger, "write", true),
            (AcknowledgeTransmission, Jobcenter, "read write", false),
            (AcknowledgeTransmission, Hmsi, "read write", false),
        ];
        for (perm, role, scope, allowed) in cases {
            let got = authorize(&principal(role, scope), perm).is_ok();
            assert_eq!(got, allowed, "{perm:?} {role:?} {scope:?}");
        }
    }

    #[test]
    fn traeger_tokens_see_their_own_traeger_only() {
        let v = authorize(&principal(Role::Traeger, "read"), Permission::ReadRegistry).unwrap();
        assert_eq!(v, Visibility::Traeger(Ags::parse("06633").unwrap()));
        let v = authorize(
            &principal(Role::Jobcenter, "read"),
            Permission::ReadRegistry,
        )
        .unwrap();
        assert_eq!(v, Visibility::Jobcenter(Ags::parse("06633").unwrap()));
        let v = authorize(&principal(Role::Hmsi, "read"), Permission::ReadRegistry).unwrap();
        assert_eq!(v, Visibility::All);
    }
}
