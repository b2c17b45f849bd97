//! The personal-data key's life: the database remembers which key sealed it (a fingerprint) and a server
//! with another key refuses to start; `wushe rotate-key` reseals everything under a new key, resumably;
//! `wushe check` finds any ciphertext that no longer opens.

use crate::kernel::crypto::Crypto;
use crate::{App, AppError, AppResult};

/// Setting: the fingerprint of the key that sealed this database.
pub const FINGERPRINT: &str = "pii_key_fingerprint";
/// Setting: the fingerprint of the key a rotation is moving to, while it runs.
pub const ROTATING_TO: &str = "pii_key_rotating_to";
/// Rows resealed per transaction: short transactions, so a live SQLite writer is held only briefly.
const BATCH: i64 = 500;

/// Why the configured key cannot serve this database.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The database was sealed with another key.
    #[error(
        "WUSHE_SECRET_KEY does not match the key this database was encrypted with \
         (database: {stored}, configured: {configured}). Start with the right key; to change keys, \
         run `wushe rotate-key` with both. / 配置的密钥与数据库加密所用密钥不一致，请使用原密钥启动；\
         如需更换密钥，请运行 wushe rotate-key。"
    )]
    Mismatch {
        /// Fingerprint kept in the database.
        stored: String,
        /// Fingerprint of the configured key.
        configured: String,
    },
    /// Data written before fingerprints were kept does not open with the configured key.
    #[error(
        "the database holds ID numbers or phones that do not decrypt with WUSHE_SECRET_KEY: start with \
         the key they were written with. / 数据库中的身份证号或电话无法用当前密钥解密，请使用原密钥启动。"
    )]
    Undecryptable,
    /// A rotation was interrupted: rows are sealed under two keys until it finishes.
    #[error(
        "a key rotation to {to} was interrupted: run `wushe rotate-key` again with the same keys to finish \
         it. / 密钥轮换未完成，请用相同的新旧密钥再次运行 wushe rotate-key。"
    )]
    RotationUnfinished {
        /// Fingerprint of the key being rotated to.
        to: String,
    },
}

/// Checks at start that the configured key is the one that sealed the database, and records its
/// fingerprint on first use. A server must not start otherwise: unmasking would fail and the duplicate
/// ID check would let a second copy of a number in.
pub async fn check_at_start(app: &App) -> AppResult<Result<(), KeyError>> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if let Some(to) = wushe_store::kernel::settings::get(&mut c, ROTATING_TO).await? {
        return Ok(Err(KeyError::RotationUnfinished { to }));
    }
    let mine = app.crypto.fingerprint().to_owned();
    match wushe_store::kernel::settings::get(&mut c, FINGERPRINT).await? {
        Some(stored) if stored == mine => Ok(Ok(())),
        Some(stored) => Ok(Err(KeyError::Mismatch {
            stored,
            configured: mine,
        })),
        None => {
            // A database from before fingerprints: its first sealed value tells whether this key fits.
            for table in wushe_store::kernel::pii::TABLES {
                if let Some(r) = wushe_store::kernel::pii::page(&mut c, table, None, 1)
                    .await?
                    .first()
                {
                    let blob = r.id_number_enc.as_ref().or(r.phone_enc.as_ref());
                    if blob.is_some_and(|b| app.crypto.decrypt(b).is_err()) {
                        return Ok(Err(KeyError::Undecryptable));
                    }
                }
            }
            wushe_store::kernel::settings::put(&mut c, FINGERPRINT, &mine).await?;
            tx.commit().await?;
            Ok(Ok(()))
        }
    }
}

/// What a rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Rows resealed now.
    pub resealed: u64,
    /// Rows already under the new key (from an interrupted run).
    pub already: u64,
}

/// Reseals every ID number and phone under `new` and rebuilds their blind indexes, in batches. Resumable:
/// a run interrupted at any point is finished by running it again with the same keys, since each value
/// is tried with the new key first. `app` must hold the old key.
pub async fn rotate(app: &App, new: &Crypto) -> AppResult<Rotation> {
    let old = &app.crypto;
    {
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        let stored = wushe_store::kernel::settings::get(&mut c, FINGERPRINT).await?;
        let rotating = wushe_store::kernel::settings::get(&mut c, ROTATING_TO).await?;
        match (&stored, &rotating) {
            (_, Some(to)) if to != new.fingerprint() => {
                return Err(AppError::Internal(format!(
                "an interrupted rotation was moving to key {to}, not to the new key given ({}); \
                     finish it with that key first",
                new.fingerprint()
            )))
            }
            (Some(s), None) if s != old.fingerprint() => {
                return Err(AppError::Internal(format!(
                    "the current key given ({}) is not the one this database was sealed with ({s})",
                    old.fingerprint()
                )))
            }
            _ => {}
        }
        wushe_store::kernel::settings::put(&mut c, ROTATING_TO, new.fingerprint()).await?;
        tx.commit().await?;
    }
    let mut out = Rotation::default();
    for table in wushe_store::kernel::pii::TABLES {
        let mut after = None;
        loop {
            let mut tx = app.db.begin().await?;
            let mut c = tx.conn();
            let rows = wushe_store::kernel::pii::page(&mut c, table, after, BATCH).await?;
            for r in &rows {
                match reseal(old, new, r)? {
                    Some(w) => {
                        wushe_store::kernel::pii::reseal(&mut c, table, &w).await?;
                        out.resealed += 1;
                    }
                    None => out.already += 1,
                }
            }
            tx.commit().await?;
            match rows.last() {
                Some(last) if rows.len() as i64 == BATCH => after = Some(last.id),
                _ => break,
            }
        }
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::kernel::settings::put(&mut c, FINGERPRINT, new.fingerprint()).await?;
    wushe_store::kernel::settings::delete(&mut c, ROTATING_TO).await?;
    tx.commit().await?;
    Ok(out)
}

/// The row sealed under `new`, or `None` when it already is. A value that opens under neither key stops
/// the rotation: resealing it would lose it for good.
fn reseal(
    old: &Crypto,
    new: &Crypto,
    r: &wushe_store::kernel::pii::SealedRow,
) -> AppResult<Option<wushe_store::kernel::pii::Resealed>> {
    let open = |b: &Vec<u8>| -> AppResult<(String, bool)> {
        if let Ok(p) = new.decrypt(b) {
            return Ok((p, true));
        }
        old.decrypt(b).map(|p| (p, false)).map_err(|_| {
            AppError::Internal(format!(
                "row {} has a value that opens under neither key; stopped without changing it",
                r.id
            ))
        })
    };
    let idn = r.id_number_enc.as_ref().map(open).transpose()?;
    let phone = r.phone_enc.as_ref().map(open).transpose()?;
    let done = idn.as_ref().is_none_or(|(_, n)| *n) && phone.as_ref().is_none_or(|(_, n)| *n);
    if done {
        return Ok(None);
    }
    Ok(Some(wushe_store::kernel::pii::Resealed {
        id: r.id,
        id_number_hash: idn.as_ref().map(|(p, _)| new.blind_index("id_number", p)),
        id_number_enc: idn.map(|(p, _)| new.encrypt(&p)),
        phone_hash: phone.as_ref().map(|(p, _)| new.blind_index("phone", p)),
        phone_enc: phone.map(|(p, _)| new.encrypt(&p)),
    }))
}

/// Every sealed value that does not decrypt with the configured key, as `wushe check` lines.
pub async fn undecryptable(app: &App) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    for table in wushe_store::kernel::pii::TABLES {
        let mut after = None;
        loop {
            let rows = wushe_store::kernel::pii::page(&mut c, table, after, BATCH).await?;
            for r in &rows {
                for (field, blob) in [("id_number", &r.id_number_enc), ("phone", &r.phone_enc)] {
                    if blob
                        .as_ref()
                        .is_some_and(|b| app.crypto.decrypt(b).is_err())
                    {
                        out.push(format!(
                            "{table} {}: {field} does not decrypt with WUSHE_SECRET_KEY / 无法解密",
                            r.id
                        ));
                    }
                }
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == BATCH => after = Some(last.id),
                _ => break,
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn reseals_under_the_new_key_once() {
        let old = Crypto::new(&[1u8; 32]).unwrap();
        let new = Crypto::new(&[2u8; 32]).unwrap();
        let row = wushe_store::kernel::pii::SealedRow {
            id: Uuid::now_v7(),
            id_number_enc: Some(old.encrypt("11010519491231002X")),
            phone_enc: None,
        };
        let w = reseal(&old, &new, &row).unwrap().unwrap();
        assert_eq!(
            new.decrypt(w.id_number_enc.as_ref().unwrap()).unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            w.id_number_hash.as_deref(),
            Some(new.blind_index("id_number", "11010519491231002X").as_str())
        );
        assert!(w.phone_enc.is_none() && w.phone_hash.is_none());
        let again = wushe_store::kernel::pii::SealedRow {
            id: row.id,
            id_number_enc: w.id_number_enc,
            phone_enc: None,
        };
        assert!(reseal(&old, &new, &again).unwrap().is_none());
        let stranger = Crypto::new(&[3u8; 32]).unwrap();
        let lost = wushe_store::kernel::pii::SealedRow {
            id: row.id,
            id_number_enc: Some(stranger.encrypt("x")),
            phone_enc: None,
        };
        assert!(reseal(&old, &new, &lost).is_err());
    }
}
