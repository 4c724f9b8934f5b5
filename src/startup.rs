//! Building the service: database, migrations, shared state, the actix App
//! and the HTTP server. Tests start the same server on port 0.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::api;
use crate::auth::Verifier;
use crate::config::{JwtKey, Settings};
use crate::db::Db;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::metrics::{self, Metrics};
use crate::http::middleware::{self, RateLimiter, RateLimits};
use crate::http::problem::problem_for_plain_errors;
use crate::http::read_cache::{ReadCache, read_cache};

/// Why the service could not start: one line, naming what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

/// Opens the database and applies pending migrations.
pub fn open_database(settings: &Settings) -> Result<Db, StartError> {
    let db = Db::connect(&settings.database_url, settings.pool_size)
        .map_err(|e| StartError(format!("DATABASE_URL: {e}")))?;
    let applied = db
        .migrate()
        .map_err(|e| StartError(format!("DATABASE_URL: {e}")))?;
    if applied > 0 {
        tracing::info!(applied, "applied database migrations");
    }
    Ok(db)
}

/// A started server and the port it listens on.
pub struct Application {
    pub port: u16,
    pub server: Server,
}

impl Application {
    /// Opens the database, migrates it and binds `listener`; the server runs
    /// once `server` is awaited or spawned.
    pub fn build(settings: &Settings, listener: TcpListener) -> Result<Application, StartError> {
        if let JwtKey::Secret {
            generated: Some(path),
            ..
        } = &settings.jwt.key
        {
            tracing::warn!(
                path = %path.display(),
                "JWT_SECRET is unset: using a generated secret kept beside the database; \
                 set JWT_SECRET to share one across replicas"
            );
        }
        let verifier = web::Data::new(Verifier::new(&settings.jwt).map_err(StartError)?);
        let db = open_database(settings)?;
        let state = web::Data::new(AppState {
            db,
            cache: settings.cache.clone(),
            openapi_json: crate::openapi::document(),
            media: std::sync::Arc::new(settings.media.clone()),
        });
        api::media::configure_links(&settings.media);
        let media = web::Data::new(
            api::media::MediaServices::new(&settings.media, settings.cache.recheck)
                .map_err(|e| StartError(format!("MEDIA_DIR or MEDIA_CACHE_DIR: {e}")))?,
        );
        let body_limit = settings.body_limit_bytes;
        let metrics = web::Data::new(Metrics::default());
        let read_cache_data = web::Data::new(ReadCache::new(settings.cache.recheck));
        let limits = web::Data::new(RateLimits {
            reads: settings.rate_limits.reads_per_minute.map(RateLimiter::new),
            writes: settings.rate_limits.writes_per_minute.map(RateLimiter::new),
        });
        let port = listener
            .local_addr()
            .map_err(|e| StartError(format!("MASTHEAD_BIND: {e}")))?
            .port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(media.clone())
                .app_data(verifier.clone())
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::PathConfig::default().error_handler(|err, _| {
                    ApiError::BadRequest(format!("the path is malformed: {err}")).into()
                }))
                .app_data(limits.clone())
                .app_data(metrics.clone())
                .app_data(read_cache_data.clone())
                .wrap(from_fn(read_cache))
                .wrap(ErrorHandlers::new().default_handler(problem_for_plain_errors))
                .wrap(from_fn(middleware::rate_limit))
                .wrap(from_fn(middleware::cors))
                .wrap(from_fn(middleware::request_context))
                .configure(api::routes)
                .service(web::resource("/metrics").route(api::read().to(metrics::metrics)))
                .service(
                    SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::new(["/openapi.json"])),
                )
                .default_service(web::to(|req: actix_web::HttpRequest| async move {
                    Err::<HttpResponse, _>(ApiError::NotFound(format!(
                        "no resource at {}",
                        req.path()
                    )))
                }))
        })
        .shutdown_timeout(30)
        .client_request_timeout(std::time::Duration::from_secs(10))
        .listen(listener)
        .map_err(|e| StartError(format!("MASTHEAD_BIND: {e}")))?
        .run();
        Ok(Application { port, server })
    }
}
