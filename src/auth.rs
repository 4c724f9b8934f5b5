//! Bearer tokens: verifying and minting JWTs, and who the caller is
//! (`Caller`) with the role checks every layer asks. The HTTP extractors
//! that find the token on a request are in `http::auth`.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::{JwtKey, JwtSettings};
use crate::domain::{Role, echo};
use crate::error::ApiError;

const LEEWAY_SECONDS: u64 = 60;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The author slug a contributor writes as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// One audience, or several (RFC 7519 allows both; identity providers
    /// send arrays). The library checks it against `JWT_AUDIENCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
}

/// The `aud` claim: a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
    pub role: Role,
    pub author: Option<String>,
}

impl Caller {
    pub fn is_editor(&self) -> bool {
        self.role.is_editor()
    }

    /// Editors and admins only.
    pub fn require_editor(&self) -> Result<&Caller, ApiError> {
        if self.is_editor() {
            Ok(self)
        } else {
            Err(ApiError::Forbidden(
                "this operation needs the editor or admin role".into(),
            ))
        }
    }

    pub fn require_admin(&self) -> Result<&Caller, ApiError> {
        if self.role == Role::Admin {
            Ok(self)
        } else {
            Err(ApiError::Forbidden(
                "this operation needs the admin role".into(),
            ))
        }
    }
}

/// Verifies tokens with the one algorithm the configuration names.
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    pub fn new(settings: &JwtSettings) -> Result<Verifier, String> {
        let (key, algorithm) = match &settings.key {
            JwtKey::Secret { bytes, .. } => (
                DecodingKey::from_secret(bytes).map_err(|e| format!("JWT_SECRET: {e}"))?,
                Algorithm::HS256,
            ),
            JwtKey::PublicKey { algorithm, pem } => {
                let key = match algorithm {
                    Algorithm::RS256 => DecodingKey::from_rsa_pem(pem),
                    Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
                    _ => DecodingKey::from_ed_pem(pem),
                }
                .map_err(|e| {
                    format!("JWT_PUBLIC_KEY: not a usable {algorithm:?} public key: {e}")
                })?;
                (key, *algorithm)
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        // A configured issuer or audience is required, not merely checked
        // when present: a token that leaves it out is not from our provider.
        let mut required = vec!["exp", "sub"];
        match &settings.issuer {
            Some(iss) => {
                validation.set_issuer(&[iss]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &settings.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        Ok(Verifier { key, validation })
    }

    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| ApiError::Unauthorized(format!("the bearer token {}", refusal(&e))))?;
        let claims = data.claims;
        let role = Role::parse(&claims.role).ok_or_else(|| {
            ApiError::Unauthorized(format!(
                "the token's role '{}' is not one of contributor, editor, admin",
                echo(&claims.role)
            ))
        })?;
        Ok(Caller {
            subject: claims.sub,
            role,
            author: claims.author,
        })
    }
}

/// Why a token was refused, in the API's own words: the library's messages
/// name parser internals and list every algorithm it knows.
fn refusal(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "has expired".into(),
        ErrorKind::ImmatureSignature => "is not valid yet (its nbf is in the future)".into(),
        ErrorKind::InvalidSignature => "has a signature that does not match".into(),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
            "is not signed with the algorithm this server accepts".into()
        }
        ErrorKind::InvalidIssuer => "is from another issuer (iss)".into(),
        ErrorKind::InvalidAudience => "is for another audience (aud)".into(),
        ErrorKind::InvalidSubject => "has an unexpected subject (sub)".into(),
        ErrorKind::MissingRequiredClaim(claim) => format!("has no '{}' claim", echo(claim)),
        ErrorKind::Json(cause) => {
            let text = cause.to_string();
            match text
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                Some(claim) => format!("has no '{}' claim", echo(claim)),
                None => "has a header or claims of the wrong shape".into(),
            }
        }
        _ => "is malformed: expected three base64url parts, header.claims.signature".into(),
    }
}

/// Mints an HS256 token, for `masthead token` and for tests.
pub fn mint(
    secret: &[u8],
    subject: &str,
    role: Role,
    author: Option<&str>,
    ttl_seconds: u64,
    issuer: Option<&str>,
    audience: Option<&str>,
) -> Result<String, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let claims = Claims {
        sub: subject.to_owned(),
        role: role.as_str().to_owned(),
        exp: now + ttl_seconds,
        iat: Some(now),
        nbf: None,
        author: author.map(str::to_owned),
        iss: issuer.map(str::to_owned),
        aud: audience.map(|a| Audience::One(a.to_owned())),
    };
    let key = EncodingKey::from_secret(secret).map_err(|e| e.to_string())?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn verifier() -> Verifier {
        Verifier::new(&JwtSettings {
            key: JwtKey::Secret {
                bytes: SECRET.to_vec(),
                generated: None,
            },
            issuer: None,
            audience: None,
        })
        .unwrap()
    }

    fn encode(header: Header, claims: &serde_json::Value, secret: &[u8]) -> String {
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn a_minted_token_verifies() {
        let token = mint(SECRET, "ed", Role::Editor, None, 3600, None, None).unwrap();
        let caller = verifier().verify(&token).unwrap();
        assert_eq!(caller.role, Role::Editor);
        assert_eq!(caller.subject, "ed");
    }

    #[test]
    fn bad_tokens_are_refused() {
        let exp = now() + 3600;
        let cases = [
            (
                "wrong secret",
                encode(
                    Header::default(),
                    &serde_json::json!({"sub": "a", "role": "admin", "exp": exp}),
                    b"another-secret-another-secret-xx",
                ),
            ),
            (
                "no exp",
                encode(
                    Header::default(),
                    &serde_json::json!({"sub": "a", "role": "admin"}),
                    SECRET,
                ),
            ),
            (
                "expired",
                encode(
                    Header::default(),
                    &serde_json::json!({"sub": "a", "role": "admin", "exp": now() - 120}),
                    SECRET,
                ),
            ),
            (
                "future nbf",
                encode(
                    Header::default(),
                    &serde_json::json!({"sub": "a", "role": "admin", "exp": exp, "nbf": now() + 600}),
                    SECRET,
                ),
            ),
            (
                "unknown role",
                encode(
                    Header::default(),
                    &serde_json::json!({"sub": "a", "role": "root", "exp": exp}),
                    SECRET,
                ),
            ),
            (
                "no role",
                encode(
                    Header::default(),
                    &serde_json::json!({"sub": "a", "exp": exp}),
                    SECRET,
                ),
            ),
            (
                "HS384",
                encode(
                    Header::new(Algorithm::HS384),
                    &serde_json::json!({"sub": "a", "role": "admin", "exp": exp}),
                    SECRET,
                ),
            ),
        ];
        for (case, token) in cases {
            assert!(
                verifier().verify(&token).is_err(),
                "{case} should be refused"
            );
        }
    }

    #[test]
    fn alg_none_is_refused() {
        // header {"alg":"none","typ":"JWT"} and an empty signature
        let token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhIiwicm9sZSI6ImFkbWluIiwiZXhwIjo5OTk5OTk5OTk5fQ.";
        assert!(verifier().verify(token).is_err());
    }
}
