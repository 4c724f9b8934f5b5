//! Prometheus metrics at `GET /metrics`: requests by route template and
//! status, latency histograms, database pool use and articles by status.
//! Written by hand: the text format is a few lines, not worth a crate.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::{HttpResponse, web};

use super::AppState;
use crate::error::ApiError;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Recorded {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The route template of a request answered before routing (from the read
/// cache), so that it is counted under its route rather than "unmatched".
#[derive(Debug, Clone)]
pub struct MatchedRoute(pub String);

/// What the server has answered since it started.
#[derive(Default)]
pub struct Metrics {
    recorded: Mutex<Recorded>,
}

impl Metrics {
    /// `route` is the matched template (`/v1/articles/{key}`), never the raw
    /// path, so that the number of series stays bounded.
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut recorded = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        *recorded
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let histogram = recorded.latency.entry(route.to_owned()).or_default();
        let seconds = elapsed.as_secs_f64();
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    fn render(&self, out: &mut String) {
        let recorded = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP masthead_http_requests_total Requests answered, by route template and status.\n");
        out.push_str("# TYPE masthead_http_requests_total counter\n");
        for ((method, route, status), n) in &recorded.requests {
            let _ = writeln!(
                out,
                "masthead_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str(
            "# HELP masthead_http_request_duration_seconds Time to answer, by route template.\n",
        );
        out.push_str("# TYPE masthead_http_request_duration_seconds histogram\n");
        for (route, histogram) in &recorded.latency {
            let route = escape(route);
            for (count, bound) in histogram.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "masthead_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "masthead_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "masthead_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "masthead_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count
            );
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `GET /metrics` in the Prometheus text format.
pub async fn metrics(
    state: web::Data<AppState>,
    recorded: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let by_status = state
        .db
        .run(|conn| Ok::<_, ApiError>(crate::db::articles::count_by_status(conn)?))
        .await?;
    let pool = state.db.pool_state();
    let mut out = String::with_capacity(4096);
    recorded.render(&mut out);
    out.push_str("# HELP masthead_db_pool_connections Pooled database connections, by state.\n");
    out.push_str("# TYPE masthead_db_pool_connections gauge\n");
    let _ = writeln!(
        out,
        "masthead_db_pool_connections{{state=\"idle\"}} {}",
        pool.idle_connections
    );
    let _ = writeln!(
        out,
        "masthead_db_pool_connections{{state=\"busy\"}} {}",
        pool.connections - pool.idle_connections
    );
    out.push_str("# HELP masthead_articles Stored articles, by status.\n");
    out.push_str("# TYPE masthead_articles gauge\n");
    for status in crate::domain::Status::ALL {
        let n = by_status
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "masthead_articles{{status=\"{status}\"}} {n}");
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}
