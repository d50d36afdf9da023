//! The database's revision of a subject (a table, or the tables of one aggregate): raised by a
//! trigger on every write to it (migrations 13 and 14) and, on PostgreSQL, told to listeners.

use diesel::prelude::*;

use super::DbConnection;
use super::schema::revisions::dsl;

/// What readers may keep while its number stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Indicators,
    Traeger,
    /// Agreements with their obligations, the indicators each asks for, and signatures.
    Agreements,
    /// Submissions with their revisions, values and receipts.
    Submissions,
    /// BA transmissions with their indicators, versions, rows and acknowledgements.
    Transmissions,
}

impl Subject {
    pub const ALL: [Subject; 5] = [
        Subject::Indicators,
        Subject::Traeger,
        Subject::Agreements,
        Subject::Submissions,
        Subject::Transmissions,
    ];

    /// Its name in the table `revisions` and in notifications.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Indicators => "indicators",
            Subject::Traeger => "traeger",
            Subject::Agreements => "agreements",
            Subject::Submissions => "submissions",
            Subject::Transmissions => "transmissions",
        }
    }

    pub fn named(name: &str) -> Option<Subject> {
        Subject::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The revisions of `subjects` now, in their order, in one statement; read before the rows
/// they stand for, so that rows read with older numbers are at worst newer than them (and read
/// again), never older.
pub fn current(conn: &mut DbConnection, subjects: &[Subject]) -> QueryResult<Vec<i64>> {
    let names: Vec<&str> = subjects.iter().map(|s| s.name()).collect();
    let rows: Vec<(String, i64)> = dsl::revisions
        .filter(dsl::subject.eq_any(&names))
        .select((dsl::subject, dsl::revision))
        .load(conn)?;
    names
        .iter()
        .map(|name| {
            rows.iter()
                .find(|(n, _)| n == name)
                .map(|(_, r)| *r)
                .ok_or_else(|| super::corrupt(format!("the revision of {name} is missing")))
        })
        .collect()
}

/// Every subject's revision now.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<(Subject, i64)>> {
    let rows: Vec<(String, i64)> = dsl::revisions
        .select((dsl::subject, dsl::revision))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, revision)| Some((Subject::named(&name)?, revision)))
        .collect())
}

/// A notification's payload, `subject:revision`.
pub fn parse_told(payload: &str) -> Option<(Subject, i64)> {
    let (name, revision) = payload.split_once(':')?;
    Some((Subject::named(name)?, revision.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_names_a_subject_and_its_revision() {
        assert_eq!(parse_told("agreements:17"), Some((Subject::Agreements, 17)));
        assert_eq!(parse_told("traeger:x"), None);
        assert_eq!(parse_told("deliveries:3"), None);
        for s in Subject::ALL {
            assert_eq!(Subject::ALL[s.index()], s);
        }
    }
}
