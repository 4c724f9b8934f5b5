//! The resources: one module per resource with its routes' handlers, its
//! wire types and the OpenAPI text of both, and the one place every route
//! is registered ([`routes`]). The plumbing they share is in `http`; the
//! write rules they call are in `content`.

pub mod articles;
pub mod authors;
pub mod media;
pub mod related;
pub mod resource;
pub mod sections;
pub mod summaries;
pub mod system;
pub mod tags;

use actix_web::{guard, web};

/// A read route: GET, and HEAD with GET's status and headers (RFC 9110
/// 9.3.2; load balancers and CDNs probe with it). actix sends no body for
/// HEAD and keeps the Content-Length GET would have.
pub fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Every route of the service. The OpenAPI document lists the same
/// operations (`openapi::ApiDoc`); a test checks that each one is routed.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .service(
                web::resource("/articles")
                    .route(read().to(articles::list_articles))
                    .route(web::post().to(articles::create_article)),
            )
            .service(
                web::resource("/articles/{key}")
                    .route(read().to(articles::find_article))
                    .route(web::put().to(articles::replace_article))
                    .route(web::patch().to(articles::update_article))
                    .route(web::delete().to(articles::delete_article)),
            )
            .service(
                web::resource("/articles/{key}/related")
                    .route(read().to(related::list_related))
                    .route(web::post().to(related::create_related)),
            )
            .service(
                web::resource("/articles/{key}/related/{target}")
                    .route(web::patch().to(related::update_related))
                    .route(web::delete().to(related::delete_related)),
            )
            .service(
                web::resource("/authors")
                    .route(read().to(authors::list_authors))
                    .route(web::post().to(authors::create_author)),
            )
            .service(
                web::resource("/authors/{key}")
                    .route(read().to(authors::find_author))
                    .route(web::put().to(authors::replace_author))
                    .route(web::patch().to(authors::update_author))
                    .route(web::delete().to(authors::delete_author)),
            )
            .service(
                web::resource("/authors/{key}/articles")
                    .route(read().to(authors::list_author_articles)),
            )
            .service(
                web::resource("/media")
                    .route(read().to(media::list_media))
                    .route(web::post().to(media::upload_media)),
            )
            .service(
                web::resource("/media/{id}")
                    .route(read().to(media::find_media))
                    .route(web::patch().to(media::update_media))
                    .route(web::delete().to(media::delete_media)),
            )
            .service(web::resource("/sections").route(read().to(sections::list_sections)))
            .service(
                web::resource("/tags")
                    .route(read().to(tags::list_tags))
                    .route(web::post().to(tags::create_tag)),
            )
            .service(
                web::resource("/tags/{key}")
                    .route(read().to(tags::find_tag))
                    .route(web::put().to(tags::replace_tag))
                    .route(web::patch().to(tags::update_tag))
                    .route(web::delete().to(tags::delete_tag)),
            )
            .service(
                web::resource("/tags/{key}/articles").route(read().to(tags::list_tag_articles)),
            ),
    )
    .service(web::resource("/media/{id}/{file}").route(read().to(media::serve_rendition)))
    .service(web::resource("/openapi.json").route(read().to(system::openapi_json)))
    .service(web::resource("/healthz").route(read().to(system::healthz)))
    .service(web::resource("/readyz").route(read().to(system::readyz)))
    .service(web::resource("/docs").route(read().to(system::docs)));
}
