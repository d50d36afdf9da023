//! The two migration sets must describe one schema: same tables, columns and nullability.

mod common;

use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[actix_web::test]
async fn sqlite_and_postgres_migrations_agree() {
    let lite = common::TestApp::sqlite().await;
    let Some(pg) = common::TestApp::postgres().await else {
        return;
    };

    let mut conn = SqliteConnection::establish(&lite.database_url).unwrap();
    let mut sqlite_columns: Vec<Column> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, \
                CASE WHEN p.\"notnull\" = 1 THEN 'NO' ELSE 'YES' END AS is_nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'",
    )
    .load(&mut conn)
    .unwrap();
    sqlite_columns.sort();

    let mut conn = PgConnection::establish(&pg.database_url).unwrap();
    let mut pg_columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                is_nullable::text AS is_nullable \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'",
    )
    .load(&mut conn)
    .unwrap();
    pg_columns.sort();

    assert!(sqlite_columns.len() > 20, "{sqlite_columns:?}");
    assert_eq!(sqlite_columns, pg_columns);
}
