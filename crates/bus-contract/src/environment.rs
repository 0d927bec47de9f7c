//! The `${environment}` placeholder that bus names, rule names and template parameters carry,
//! and its expansion for one environment.

/// What stands for the environment in names and parameters.
pub(crate) const ENVIRONMENT: &str = "${environment}";

/// A bus name (or a parameter) in one environment.
pub(crate) fn expand(bus: &str, env: &str) -> String {
    bus.replace(ENVIRONMENT, env)
}
