//! Tokens from an identity provider: the algorithm and key come from
//! configuration, and nothing else is accepted.


use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::helpers::{now, spawn_app_with, token};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn sign(algorithm: Algorithm, private_pem: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(private_pem)).unwrap();
    let key = match algorithm {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        _ => EncodingKey::from_ed_pem(&pem),
    }
    .unwrap();
    jsonwebtoken::encode(&Header::new(algorithm), claims, &key).unwrap()
}

#[actix_web::test]
async fn public_key_algorithms_accept_their_own_tokens_only() {
    for (name, algorithm, private, public) in [
        (
            "RS256",
            Algorithm::RS256,
            "rs256-private.pem",
            "rs256-public.pem",
        ),
        (
            "ES256",
            Algorithm::ES256,
            "es256-private.pem",
            "es256-public.pem",
        ),
        (
            "EdDSA",
            Algorithm::EdDSA,
            "ed25519-private.pem",
            "ed25519-public.pem",
        ),
    ] {
        let public = fixture(public);
        let Some(app) = spawn_app_with(&[("JWT_ALGORITHM", name), ("JWT_PUBLIC_KEY", &public)]).await else {
            return;
        };
        let claims = json!({"sub": "idp-user", "role": "editor", "exp": now() + 600, "iat": now()});
        let good = sign(algorithm, private, &claims);
        let reply = app
            .post("/v1/tags", &good, json!({"name": format!("From {name}")}))
            .await;
        assert_eq!(
            reply.status,
            201,
            "{name}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let hs256 = token(masthead::domain::Role::Editor, None);
        app.post("/v1/tags", &hs256, json!({"name": "Sneaky"}))
            .await
            .problem(401);
        let expired = sign(
            algorithm,
            private,
            &json!({"sub": "u", "role": "editor", "exp": now() - 300}),
        );
        app.get_as("/v1/tags", &expired).await.problem(401);
    }
}

#[actix_web::test]
async fn issuer_and_audience_are_checked_when_configured() {
    let Some(app) = spawn_app_with(&[
        ("JWT_ISSUER", "https://id.example.com/"),
        ("JWT_AUDIENCE", "masthead"),
    ])
    .await
    else {
        return;
    };
    let secret = super::helpers::SECRET.as_bytes();
    let mint = |iss: Option<&str>, aud: Option<&str>| {
        masthead::auth::mint(
            secret,
            "u",
            masthead::domain::Role::Editor,
            None,
            600,
            iss,
            aud,
        )
        .unwrap()
    };
    app.get_as(
        "/v1/tags",
        &mint(Some("https://id.example.com/"), Some("masthead")),
    )
    .await
    .ok(200);
    for (case, iss, aud) in [
        ("no issuer", None, Some("masthead")),
        (
            "another issuer",
            Some("https://evil.example.com/"),
            Some("masthead"),
        ),
        ("no audience", Some("https://id.example.com/"), None),
        (
            "another audience",
            Some("https://id.example.com/"),
            Some("other"),
        ),
    ] {
        let reply = app.get_as("/v1/tags", &mint(iss, aud)).await;
        assert_eq!(reply.status, 401, "{case}");
    }
}
