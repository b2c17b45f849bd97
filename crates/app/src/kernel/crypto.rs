//! Field encryption and blind indexes for personal data, password hashing, and session tokens.
//!
//! ID numbers and phones are sensitive personal information under the Personal Information Protection Law,
//! so they are stored encrypted (XChaCha20-Poly1305, random 24-byte nonces, safe to draw at random) and
//! found through an HMAC-SHA256 "blind index" that reveals nothing without the key.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::kernel::error::{AppError, AppResult};

type HmacSha256 = Hmac<Sha256>;

/// What a page or export shows for an encrypted field that does not decrypt.
pub const UNDECRYPTABLE: &str = "（无法解密）";

/// Keys derived from the one secret in configuration.
#[derive(Clone)]
pub struct Crypto {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
    fingerprint: String,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Crypto(..)")
    }
}

fn derive(secret: &[u8], label: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).expect("hmac takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Crypto {
    /// Builds the keys from a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> AppResult<Crypto> {
        if secret.len() < 32 {
            return Err(AppError::Internal(
                "secret key must be at least 32 bytes".into(),
            ));
        }
        let enc = derive(secret, "wushe/pii-encryption/v1");
        Ok(Crypto {
            cipher: XChaCha20Poly1305::new((&enc).into()),
            index_key: derive(secret, "wushe/pii-blind-index/v1"),
            // A one-way value of its own label: it names the key without revealing it or its other keys.
            fingerprint: hex::encode(&derive(secret, "wushe/key-fingerprint/v1")[..8]),
        })
    }

    /// A fresh random secret, hex encoded (64 characters).
    pub fn generate_secret_hex() -> String {
        let mut b = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut b);
        hex::encode(b)
    }

    /// Encrypts a value: nonce followed by ciphertext.
    pub fn encrypt(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .expect("encryption cannot fail");
        let mut out = Vec::with_capacity(24 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts a value written by [`Crypto::encrypt`].
    pub fn decrypt(&self, blob: &[u8]) -> AppResult<String> {
        if blob.len() < 24 {
            return Err(AppError::Internal("encrypted field too short".into()));
        }
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(&blob[..24]), &blob[24..])
            .map_err(|_| {
                AppError::Internal("encrypted field does not decrypt with this key".into())
            })?;
        String::from_utf8(plain)
            .map_err(|_| AppError::Internal("decrypted field is not UTF-8".into()))
    }

    /// A short name of this key (16 hex characters) that the database keeps, so that a server started
    /// with another key refuses to run instead of failing row by row.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Decrypts a value for a page or an export cell: a value that does not decrypt shows as
    /// 「无法解密」 and is logged, so that one damaged row never fails a whole list.
    pub fn decrypt_or_mark(&self, blob: &[u8]) -> String {
        self.decrypt(blob).unwrap_or_else(|e| {
            tracing::warn!(error = ?e, "an encrypted field does not decrypt; `wushe check` lists them");
            UNDECRYPTABLE.to_owned()
        })
    }

    /// The keyed hash used to find a value without decrypting (kind separates ID numbers from phones).
    pub fn blind_index(&self, kind: &str, value: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key)
            .expect("hmac takes any key length");
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Hashes a password with Argon2id (call from a blocking thread: it is slow on purpose).
pub fn hash_password(pw: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored Argon2 hash.
pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Runs password hashing off the async threads.
pub async fn hash_password_blocking(pw: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Runs password verification off the async threads.
pub async fn verify_password_blocking(pw: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .unwrap_or(false)
}

/// A new random session or API token (URL-safe, 256 bits).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a token, hex: what the sessions table keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A random password a person can type (for the first admin when none is configured).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_round_trips_and_uses_fresh_nonces() {
        let c = Crypto::new(&[7u8; 32]).unwrap();
        let a = c.encrypt("110101199003071234");
        let b = c.encrypt("110101199003071234");
        assert_ne!(a, b);
        assert_eq!(c.decrypt(&a).unwrap(), "110101199003071234");
        let other = Crypto::new(&[8u8; 32]).unwrap();
        assert!(other.decrypt(&a).is_err());
    }

    #[test]
    fn blind_index_is_stable_keyed_and_kind_separated() {
        let c = Crypto::new(&[7u8; 32]).unwrap();
        assert_eq!(c.blind_index("id", "x"), c.blind_index("id", "x"));
        assert_ne!(c.blind_index("id", "x"), c.blind_index("phone", "x"));
        assert_ne!(
            c.blind_index("id", "x"),
            Crypto::new(&[9u8; 32]).unwrap().blind_index("id", "x")
        );
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn fingerprints_name_keys_and_bad_values_are_marked() {
        let c = Crypto::new(&[7u8; 32]).unwrap();
        let other = Crypto::new(&[8u8; 32]).unwrap();
        assert_eq!(c.fingerprint().len(), 16);
        assert_eq!(
            c.fingerprint(),
            Crypto::new(&[7u8; 32]).unwrap().fingerprint()
        );
        assert_ne!(c.fingerprint(), other.fingerprint());
        assert_eq!(other.decrypt_or_mark(&c.encrypt("x")), UNDECRYPTABLE);
        assert_eq!(c.decrypt_or_mark(&c.encrypt("x")), "x");
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(Crypto::new(&[1u8; 16]).is_err());
    }
}
