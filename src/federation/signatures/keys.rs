//! RSA keys as actors publish them (PEM text), loaded into OpenSSL to sign and verify.
//!
//! Key pairs are made by [`crate::federation::keys::generate`], which stores the private half
//! as PKCS#8 and publishes the public half as SPKI. Peers and test vectors also use the older
//! PKCS#1 forms (`BEGIN RSA PRIVATE KEY`, `BEGIN RSA PUBLIC KEY`), so both are read here.
//! Loading parses ASN.1; a caller that signs many requests with one key should load it once.

use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Private, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Signer, Verifier};

use crate::error::{Error, ErrorCode, Result};

/// The signature algorithms copse can check. Fediverse servers sign with RSA PKCS#1 v1.5 and
/// SHA-256 (`rsa-sha256`, `hs2019` with an RSA key, `rsa-v1_5-sha256`); RSA-PSS with
/// SHA-512 is RFC 9421's own example algorithm and is accepted when a peer names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaSha256,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512 and a 64-byte salt (RFC 9421 §3.3.1).
    RsaPssSha512,
}

/// A private key that signs outgoing requests.
pub struct SigningKey(PKey<Private>);

impl SigningKey {
    /// Loads a private RSA key from PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let key = PKey::private_key_from_pem(pem.as_bytes()).map_err(|e| {
            Error::new(ErrorCode::Internal, "the private key is not a PEM key").with_cause(e)
        })?;
        if !is_rsa(key.id()) {
            return Err(Error::new(
                ErrorCode::Internal,
                "the private key is not an RSA key",
            ));
        }
        Ok(SigningKey(key))
    }

    /// The matching public key as SPKI PEM, the form `publicKeyPem` publishes.
    pub fn public_key_pem(&self) -> Result<String> {
        let pem = self.0.public_key_to_pem().map_err(Error::internal)?;
        String::from_utf8(pem).map_err(Error::internal)
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256, which every peer accepts.
    /// (PKCS#1 v1.5 is deterministic, so the published test vectors can be reproduced.)
    pub fn sign_rsa_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signer = Signer::new(MessageDigest::sha256(), &self.0).map_err(Error::internal)?;
        signer
            .set_rsa_padding(Padding::PKCS1)
            .map_err(Error::internal)?;
        signer.sign_oneshot_to_vec(message).map_err(Error::internal)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, not even into logs.
        f.write_str("SigningKey(..)")
    }
}

/// A public key that checks incoming signatures.
#[derive(Debug)]
pub struct VerifyingKey(PKey<Public>);

impl VerifyingKey {
    /// Loads a public RSA key from PEM: SPKI (`BEGIN PUBLIC KEY`) or PKCS#1. The PEM comes
    /// from a remote actor, so a bad one is the signer's fault: `signature_invalid`.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let key = PKey::public_key_from_pem(pem.as_bytes())
            .or_else(|_| Rsa::public_key_from_pem_pkcs1(pem.as_bytes()).and_then(PKey::from_rsa))
            .map_err(|e| {
                Error::new(
                    ErrorCode::SignatureInvalid,
                    "the signer's public key is not a PEM key",
                )
                .with_cause(e)
            })?;
        if !is_rsa(key.id()) {
            return Err(Error::new(
                ErrorCode::SignatureInvalid,
                "the signer's public key is not an RSA key",
            ));
        }
        Ok(VerifyingKey(key))
    }

    /// The key for `pem`, loaded once and kept. Reading a PEM key costs OpenSSL 3 over ten
    /// times what the RSA check itself does (about 290 µs against 25 µs), and the same few
    /// thousand actor keys sign nearly every delivery, so loaded keys are kept, keyed by
    /// their PEM text (a rotated key has another text, so it can never be confused).
    pub fn cached(pem: &str) -> Result<std::sync::Arc<VerifyingKey>> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        /// Past this many keys the cache starts over rather than grow without bound.
        const MAX_KEYS: usize = 20_000;
        static KEYS: OnceLock<Mutex<HashMap<String, Arc<VerifyingKey>>>> = OnceLock::new();
        let keys = KEYS.get_or_init(Mutex::default);
        if let Some(key) = keys.lock().ok().and_then(|k| k.get(pem).cloned()) {
            return Ok(key);
        }
        let key = Arc::new(VerifyingKey::from_pem(pem)?);
        if let Ok(mut map) = keys.lock() {
            if map.len() >= MAX_KEYS {
                map.clear();
            }
            map.insert(pem.to_string(), key.clone());
        }
        Ok(key)
    }

    /// Whether `signature` is a valid signature of `message` under this key. Malformed
    /// signatures (wrong length, say) are simply not valid.
    pub fn verify(&self, algorithm: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let check = || -> std::result::Result<bool, openssl::error::ErrorStack> {
            let mut verifier = match algorithm {
                Algorithm::RsaSha256 => {
                    let mut v = Verifier::new(MessageDigest::sha256(), &self.0)?;
                    v.set_rsa_padding(Padding::PKCS1)?;
                    v
                }
                Algorithm::RsaPssSha512 => {
                    let mut v = Verifier::new(MessageDigest::sha512(), &self.0)?;
                    v.set_rsa_padding(Padding::PKCS1_PSS)?;
                    v.set_rsa_mgf1_md(MessageDigest::sha512())?;
                    v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(64))?;
                    v
                }
            };
            verifier.verify_oneshot(signature, message)
        };
        check().unwrap_or(false)
    }
}

fn is_rsa(id: Id) -> bool {
    id == Id::RSA || id == Id::RSA_PSS
}
