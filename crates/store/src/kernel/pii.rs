//! The encrypted personal fields (ID number, phone) of every table that holds them, read and rewritten
//! together for key rotation and for the check that every ciphertext still decrypts.

use uuid::Uuid;

use crate::{on, Conn, Result};

/// The tables with `id_number_enc`/`id_number_hash` and `phone_enc`/`phone_hash` columns.
pub const TABLES: [&str; 2] = ["residents", "volunteers"];

/// One row's sealed fields.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedRow {
    /// Row id.
    pub id: Uuid,
    /// Encrypted ID number.
    pub id_number_enc: Option<Vec<u8>>,
    /// Encrypted phone.
    pub phone_enc: Option<Vec<u8>>,
}

/// The same row sealed under another key.
#[derive(Debug, Clone)]
pub struct Resealed {
    /// Row id.
    pub id: Uuid,
    /// Encrypted ID number.
    pub id_number_enc: Option<Vec<u8>>,
    /// Its blind index.
    pub id_number_hash: Option<String>,
    /// Encrypted phone.
    pub phone_enc: Option<Vec<u8>>,
    /// Its blind index.
    pub phone_hash: Option<String>,
}

fn table_name(table: &str) -> &'static str {
    // Only names from TABLES reach SQL text.
    TABLES
        .into_iter()
        .find(|t| *t == table)
        .expect("a table with sealed fields")
}

/// The next `limit` rows with any sealed field after `after`, in id order (the primary key's).
pub async fn page(
    c: &mut Conn<'_>,
    table: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SealedRow>> {
    let t = table_name(table);
    let sql = format!(
        "SELECT id, id_number_enc, phone_enc FROM {t}
         WHERE id > $1 AND (id_number_enc IS NOT NULL OR phone_enc IS NOT NULL) ORDER BY id LIMIT $2"
    );
    Ok(on!(c, c => sqlx::query_as::<_, SealedRow>(&sql)
        .bind(after.unwrap_or(Uuid::nil())).bind(limit).fetch_all(c).await)?)
}

/// Stores a row's fields sealed under a new key.
pub async fn reseal(c: &mut Conn<'_>, table: &str, r: &Resealed) -> Result<()> {
    let t = table_name(table);
    let sql = format!(
        "UPDATE {t} SET id_number_enc = $1, id_number_hash = $2, phone_enc = $3, phone_hash = $4 WHERE id = $5"
    );
    on!(c, c => sqlx::query(&sql)
        .bind(&r.id_number_enc).bind(&r.id_number_hash).bind(&r.phone_enc).bind(&r.phone_hash).bind(r.id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
