//! Alert rules, pure: `rules` (match rules compiled from the configuration and run on one
//! article), `spike` (whether a window's counts fire a spike rule), `cooldown` (when a rule may
//! fire about a subject again). No IO and no clock: times are passed in. The daemon records
//! what fires (`store::alerts`), and `sinks` deliver it.

pub mod cooldown;
pub mod rules;
pub mod spike;

pub use rules::{MatchRule, MatchRules};
pub use spike::{SpikeCounts, SpikeSubject};
