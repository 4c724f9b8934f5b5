//! The two migration directories describe one schema: after migrating a
//! fresh SQLite file and a fresh PostgreSQL database, both have the same
//! tables, columns (kind, nullability, default), primary keys, unique
//! constraints, foreign keys with their ON DELETE, indexes and number of
//! CHECK constraints. Only the search machinery differs by design: SQLite's
//! `articles_fts` table and triggers, PostgreSQL's generated
//! `search_document` column and its GIN index.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{PgConnection, SqliteConnection, sql_query};

use masthead::startup::open_database;

use crate::support::{PgDatabase, settings_for};
use crate::turn;

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// name -> (kind, not null, default)
    columns: BTreeMap<String, (String, bool, Option<String>)>,
    primary_key: Vec<String>,
    uniques: BTreeSet<Vec<String>>,
    /// (columns, referenced table, referenced columns, on delete)
    foreign_keys: BTreeSet<(Vec<String>, String, Vec<String>, String)>,
    /// name -> columns
    indexes: BTreeMap<String, Vec<String>>,
    checks: usize,
}

type Schema = BTreeMap<String, Table>;

const IGNORED_TABLES: &[&str] = &["__diesel_schema_migrations"];

fn kind(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer".into(),
        "text" => "text".into(),
        "blob" | "bytea" => "bytes".into(),
        "real" | "double precision" => "real".into(),
        "timestamp" | "timestamp without time zone" => "timestamp".into(),
        other => other.into(),
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Nullable<Text>)]
    dflt_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    origin: String,
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    source_column: String,
    #[diesel(sql_type = Text)]
    target_column: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

fn sqlite_schema(conn: &mut SqliteConnection) -> Schema {
    let tables: Vec<Name> = sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts%'",
    )
    .load(conn)
    .unwrap();
    let mut schema = Schema::new();
    for Name { name: table } in tables {
        if IGNORED_TABLES.contains(&table.as_str()) {
            continue;
        }
        let mut t = Table::default();
        let columns: Vec<SqliteColumn> = sql_query(
            "SELECT name, type AS kind, \"notnull\", dflt_value, pk FROM pragma_table_info(?)",
        )
        .bind::<Text, _>(&table)
        .load(conn)
        .unwrap();
        let mut pk: Vec<(i32, String)> = Vec::new();
        for c in columns {
            if c.pk > 0 {
                pk.push((c.pk, c.name.clone()));
            }
            // A primary key column is never NULL, declared or not.
            let not_null = c.notnull == 1 || c.pk > 0;
            t.columns
                .insert(c.name, (kind(&c.kind), not_null, c.dflt_value));
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, n)| n).collect();
        let indexes: Vec<SqliteIndex> = sql_query("SELECT name, origin FROM pragma_index_list(?)")
            .bind::<Text, _>(&table)
            .load(conn)
            .unwrap();
        for index in indexes {
            let columns: Vec<Name> =
                sql_query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind::<Text, _>(&index.name)
                    .load(conn)
                    .unwrap();
            let columns: Vec<String> = columns.into_iter().map(|c| c.name).collect();
            match index.origin.as_str() {
                "u" => {
                    t.uniques.insert(columns);
                }
                "c" => {
                    t.indexes.insert(index.name, columns);
                }
                _ => {} // the primary key's own index
            }
        }
        let keys: Vec<SqliteForeignKey> = sql_query(
            "SELECT id, \"table\" AS target, \"from\" AS source_column, \"to\" AS target_column,
                    on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        )
        .bind::<Text, _>(&table)
        .load(conn)
        .unwrap();
        let mut grouped: BTreeMap<i32, (Vec<String>, String, Vec<String>, String)> =
            BTreeMap::new();
        for k in keys {
            let entry = grouped.entry(k.id).or_insert_with(|| {
                (
                    Vec::new(),
                    k.target.clone(),
                    Vec::new(),
                    k.on_delete.clone(),
                )
            });
            entry.0.push(k.source_column);
            entry.2.push(k.target_column);
        }
        t.foreign_keys = grouped.into_values().collect();
        let sql: Name = sql_query("SELECT sql AS name FROM sqlite_master WHERE name = ?")
            .bind::<Text, _>(&table)
            .get_result(conn)
            .unwrap();
        t.checks = sql.name.matches("CHECK (").count();
        schema.insert(table, t);
    }
    schema
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_default: Option<String>,
}

#[derive(QueryableByName)]
struct PgConstraint {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Nullable<Text>)]
    target: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    target_columns: Option<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = BigInt)]
    backs_constraint: i64,
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(|c| c.trim().to_owned()).collect()
}

fn pg_schema(conn: &mut PgConnection) -> Schema {
    let mut schema = Schema::new();
    let columns: Vec<PgColumn> = sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text,
                c.column_default::text
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'",
    )
    .load(conn)
    .unwrap();
    for c in columns {
        if IGNORED_TABLES.contains(&c.table_name.as_str()) || c.column_name == "search_document" {
            continue;
        }
        let default = c
            .column_default
            .map(|d| d.strip_suffix("::text").unwrap_or(&d).to_owned());
        schema.entry(c.table_name).or_default().columns.insert(
            c.column_name,
            (kind(&c.data_type), c.is_nullable == "NO", default),
        );
    }
    // Columns listed in key order, as the constraint declares them.
    let constraints: Vec<PgConstraint> = sql_query(
        "SELECT rel.relname::text AS table_name, con.contype::text AS kind,
                coalesce((SELECT string_agg(a.attname, ',' ORDER BY k.n)
                          FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n)
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum), '')
                    AS columns,
                ref.relname::text AS target,
                (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                 FROM unnest(con.confkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
                    AS target_columns,
                CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT'
                     WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END
                    AS on_delete
         FROM pg_constraint con
         JOIN pg_class rel ON rel.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = rel.relnamespace
         LEFT JOIN pg_class ref ON ref.oid = con.confrelid
         WHERE ns.nspname = 'public'",
    )
    .load(conn)
    .unwrap();
    for c in constraints {
        let Some(t) = schema.get_mut(&c.table_name) else {
            continue;
        };
        match c.kind.as_str() {
            "p" => t.primary_key = list(&c.columns),
            "u" => {
                t.uniques.insert(list(&c.columns));
            }
            "f" => {
                t.foreign_keys.insert((
                    list(&c.columns),
                    c.target.unwrap(),
                    list(&c.target_columns.unwrap()),
                    c.on_delete,
                ));
            }
            "c" => t.checks += 1,
            _ => {}
        }
    }
    let indexes: Vec<PgIndex> = sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS name,
                (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                 FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns,
                (SELECT count(*) FROM pg_constraint con WHERE con.conindid = i.oid) AS backs_constraint
         FROM pg_index ix
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         WHERE ns.nspname = 'public'",
    )
    .load(conn)
    .unwrap();
    for index in indexes {
        if index.backs_constraint > 0 || index.name == "articles_search" {
            continue;
        }
        if let Some(t) = schema.get_mut(&index.table_name) {
            t.indexes.insert(index.name, list(&index.columns));
        }
    }
    schema
}

#[actix_web::test]
async fn both_migration_directories_build_the_same_schema() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let sqlite_path = dir.path().join("parity.db");
    let sqlite_url = sqlite_path.to_str().unwrap();
    open_database(&settings_for(sqlite_url, &[])).unwrap();
    let Some(postgres) = PgDatabase::create() else {
        return;
    };
    open_database(&settings_for(&postgres.url, &[])).unwrap();

    let sqlite = sqlite_schema(&mut SqliteConnection::establish(sqlite_url).unwrap());
    let pg = pg_schema(&mut PgConnection::establish(&postgres.url).unwrap());

    let names = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&sqlite), names(&pg), "the same tables");
    assert!(
        sqlite.len() >= 7,
        "the schema was read: {:?}",
        names(&sqlite)
    );
    for (name, table) in &sqlite {
        let other = &pg[name];
        assert_eq!(table.columns, other.columns, "columns of {name}");
        assert_eq!(
            table.primary_key, other.primary_key,
            "primary key of {name}"
        );
        assert_eq!(table.uniques, other.uniques, "unique constraints of {name}");
        assert_eq!(
            table.foreign_keys, other.foreign_keys,
            "foreign keys of {name}"
        );
        assert_eq!(table.indexes, other.indexes, "indexes of {name}");
        assert_eq!(table.checks, other.checks, "CHECK constraints of {name}");
    }
}
