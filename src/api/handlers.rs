//! One handler per endpoint: check the query's parameters (a bad one is a 400 naming it), ask
//! the store, answer JSON in the shapes the command line prints.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;
use tracing::warn;

use super::ApiState;
use super::metrics;
use super::params::{Bucket, ParamError, Params, bounded, entity_type, since, time, window};
use super::reports::{
    EntityQuery, EntityReport, FeedStatus, ReportError, entity_report, feed_status,
};
use crate::store::{ArticleFilter, ArticleSummary, StoreError, StoryRow, TrendQuery, TrendRow};

type Shared = State<Arc<ApiState>>;

/// Why a request is answered with an error: `{"error": "..."}` and a status.
#[derive(Debug)]
pub enum ApiError {
    Param(ParamError),
    NotFound(String),
    Store(StoreError),
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        ApiError::Param(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Store(e)
    }
}

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::UnknownEntity(_) => ApiError::NotFound(e.to_string()),
            ReportError::TooManyBuckets(m) => ApiError::Param(ParamError::new("window", m)),
            ReportError::Store(s) => ApiError::Store(s),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Param(e) => (
                StatusCode::BAD_REQUEST,
                json!({ "error": e.to_string(), "parameter": e.param }),
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, json!({ "error": m })),
            ApiError::Store(e) => {
                warn!(error = %e.cause(), "API request failed on the database");
                let status = if e.is_transient() {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
                (
                    status,
                    json!({ "error": format!("database error: {}", e.cause()) }),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}

type Answer<T> = Result<Json<T>, ApiError>;

/// The end of the window: the `now` parameter (for backfills and tests) or the clock.
fn now_of(p: &Params) -> Result<DateTime<Utc>, ParamError> {
    p.get("now", Utc::now(), time)
}

pub async fn trends(State(s): Shared, RawQuery(q): RawQuery) -> Answer<Vec<TrendRow>> {
    let p = Params::parse(
        q.as_deref(),
        &[
            "window",
            "type",
            "topic",
            "category",
            "limit",
            "min_count",
            "min_sources",
            "baseline",
            "now",
        ],
    )?;
    let now = now_of(&p)?;
    let lo = super::params::window_start(now, p.get("window", DAY, window)?);
    let base = p.get("baseline", 28 * DAY, window)?;
    let query = TrendQuery {
        now,
        window: now - lo,
        baseline: now - super::params::window_start(now, base),
        kind: p.opt("type", entity_type)?.map(|k| k.to_string()),
        topic: p.text("topic"),
        category: p.text("category"),
        min_count: p.get("min_count", 3, |v| bounded(v, 1, i64::from(i32::MAX)))?,
        min_sources: p.get("min_sources", 2, |v| bounded(v, 1, i64::from(i32::MAX)))?,
        limit: p.get("limit", 20, |v| bounded(v, 1, 1000))? as usize,
    };
    s.store.refresh_all_rollups().await?;
    Ok(Json(s.store.trends(&query).await?))
}

const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

pub async fn entity(
    State(s): Shared,
    name: Result<Path<String>, PathRejection>,
    RawQuery(q): RawQuery,
) -> Answer<EntityReport> {
    let Path(name) = name.map_err(|e| ParamError::new("name", e.body_text()))?;
    let p = Params::parse(q.as_deref(), &["window", "bucket", "type", "limit", "now"])?;
    let query = EntityQuery {
        name,
        kind: p.opt("type", entity_type)?.map(|k| k.to_string()),
        window: p.get("window", 7 * DAY, window)?,
        bucket: p.get("bucket", Bucket::Hour, Bucket::parse)?,
        limit: p.get("limit", 10, |v| bounded(v, 1, 100))?,
        now: now_of(&p)?,
    };
    Ok(Json(entity_report(&s.store, &s.aliases, &query).await?))
}

pub async fn articles(State(s): Shared, RawQuery(q): RawQuery) -> Answer<Vec<ArticleSummary>> {
    let p = Params::parse(
        q.as_deref(),
        &[
            "entity", "type", "topic", "category", "q", "since", "until", "limit",
        ],
    )?;
    let now = Utc::now();
    let mut filter = ArticleFilter {
        topic: p.text("topic"),
        category: p.text("category"),
        text: p.text("q"),
        since: p.opt("since", |v| since(v, now))?,
        until: p.opt("until", |v| since(v, now))?,
        limit: p.get("limit", 50, |v| bounded(v, 1, 500))?,
        ..Default::default()
    };
    let kind = p.opt("type", entity_type)?.map(|k| k.to_string());
    if let Some(name) = p.text("entity") {
        let key = s.aliases.key_of(&name);
        let found = s.store.find_entity(&key, kind.as_deref()).await?;
        let Some(entity) = found else {
            return Err(ApiError::NotFound(format!(
                "no entity named `{name}` is stored"
            )));
        };
        filter.entity_id = Some(entity.id);
    }
    Ok(Json(s.store.list_articles(&filter).await?))
}

pub async fn stories(State(s): Shared, RawQuery(q): RawQuery) -> Answer<Vec<StoryRow>> {
    let p = Params::parse(q.as_deref(), &["window", "limit", "now"])?;
    let now = now_of(&p)?;
    let from = super::params::window_start(now, p.get("window", DAY, window)?);
    let limit = p.get("limit", 20, |v| bounded(v, 1, 500))?;
    Ok(Json(s.store.stories(from, now, limit).await?))
}

pub async fn feeds(State(s): Shared, RawQuery(q): RawQuery) -> Answer<Vec<FeedStatus>> {
    Params::parse(q.as_deref(), &[])?;
    let now = Utc::now();
    let health = s.store.feed_health().await?;
    Ok(Json(
        health.into_iter().map(|h| feed_status(h, now)).collect(),
    ))
}

pub async fn metrics(State(s): Shared) -> Result<Response, ApiError> {
    let now = Utc::now();
    let db = s.store.db_counts(now).await?;
    let sinks = s.store.sink_figures().await?;
    let mut text = metrics::render(&s.counters.snapshot(), &db);
    metrics::sink_figures(&mut text, &sinks, now);
    Ok(([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response())
}

pub async fn healthz(State(s): Shared) -> Response {
    match s.store.ping().await {
        Ok(()) => {
            Json(json!({ "status": "ok", "database": s.store.backend_name() })).into_response()
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.cause() })),
        )
            .into_response(),
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint: see /api/trends, /api/entities/{name}, /api/articles, /api/stories, /api/feeds, /metrics, /healthz".into())
}
