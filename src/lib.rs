//! Stringer: a self-hosted news-intelligence daemon. Feeds in; clean, enriched articles out,
//! in SQLite or PostgreSQL. See ARCHITECTURE.md for the map; this file is its table of contents.

// The types that cross stages, and the definitions every stage shares.
pub mod event_time;
pub mod model;

// Configuration and the command line.
pub mod cli;
pub mod config;

// Getting things from the web.
pub mod fetch;
pub mod poll;
pub mod robots;
pub mod schedule;
pub mod subscriptions;
pub mod urls;

// Reading pages (pure: bytes and text in, structs out).
pub mod alerts;
pub mod category;
pub mod clean;
pub mod enrich;
pub mod keyphrases;
pub mod matcher;
pub mod ner;
pub mod stories;
pub mod text;
pub mod trends;

// Running and keeping it.
pub mod api;
pub mod envelope;
pub mod export;
pub mod generate;
pub mod pipeline;
pub mod sinks;
pub mod spikes;
pub mod store;
