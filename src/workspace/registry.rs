//! The Bellyfed platform registry, embedded so that a service repo can check against it
//! without checking this repository out. `registry_lists_every_file` keeps this list equal to
//! the files on disk.

use super::files::EmbeddedFile;

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../", $path)))),*]
    };
}

pub(crate) const FILES: &[EmbeddedFile] = embed![
    "bus-contract.yaml",
    "contracts/analytics-collector.yaml",
    "contracts/analytics-warehouse.yaml",
    "contracts/audit-service.yaml",
    "contracts/auth-service.yaml",
    "contracts/billing-service.yaml",
    "contracts/data-pipeline.yaml",
    "contracts/examples/analytics/behavior-recorded.json",
    "contracts/examples/analytics/feature-used.json",
    "contracts/examples/analytics/metric-recorded.json",
    "contracts/examples/analytics/page-viewed.json",
    "contracts/examples/analytics/performance-measured.json",
    "contracts/examples/auth/login-attempted.json",
    "contracts/examples/auth/password-changed.json",
    "contracts/examples/auth/permissions-updated.json",
    "contracts/examples/auth/session-ended.json",
    "contracts/examples/auth/session-started.json",
    "contracts/examples/system/capacity-scaled.json",
    "contracts/examples/system/export-completed.json",
    "contracts/examples/system/export-started.json",
    "contracts/examples/system/health-checked.json",
    "contracts/examples/system/import-completed.json",
    "contracts/examples/system/import-failed.json",
    "contracts/examples/system/import-started.json",
    "contracts/examples/system/maintenance-scheduled.json",
    "contracts/examples/user/account-created.json",
    "contracts/examples/user/account-deleted.json",
    "contracts/examples/user/account-suspended.json",
    "contracts/examples/user/preferences-changed.json",
    "contracts/examples/user/profile-updated.json",
    "contracts/examples/user/restaurant-bookmarked.json",
    "contracts/examples/user/restaurant-reviewed.json",
    "contracts/notification-service.yaml",
    "contracts/platform-dashboard.yaml",
    "contracts/platform-ops.yaml",
    "contracts/recommendation-service.yaml",
    "contracts/schemas/analytics/behavior-recorded.json",
    "contracts/schemas/analytics/feature-used.json",
    "contracts/schemas/analytics/metric-recorded.json",
    "contracts/schemas/analytics/page-viewed.json",
    "contracts/schemas/analytics/performance-measured.json",
    "contracts/schemas/auth/login-attempted.json",
    "contracts/schemas/auth/password-changed.json",
    "contracts/schemas/auth/permissions-updated.json",
    "contracts/schemas/auth/session-ended.json",
    "contracts/schemas/auth/session-started.json",
    "contracts/schemas/system/capacity-scaled.json",
    "contracts/schemas/system/export-completed.json",
    "contracts/schemas/system/export-started.json",
    "contracts/schemas/system/health-checked.json",
    "contracts/schemas/system/import-completed.json",
    "contracts/schemas/system/import-failed.json",
    "contracts/schemas/system/import-started.json",
    "contracts/schemas/system/maintenance-scheduled.json",
    "contracts/schemas/user/account-created.json",
    "contracts/schemas/user/account-deleted.json",
    "contracts/schemas/user/account-suspended.json",
    "contracts/schemas/user/preferences-changed.json",
    "contracts/schemas/user/profile-updated.json",
    "contracts/schemas/user/restaurant-bookmarked.json",
    "contracts/schemas/user/restaurant-reviewed.json",
    "contracts/search-service.yaml",
    "contracts/security-service.yaml",
    "contracts/user-service.yaml",
    "patterns/analytics/recommend-from-engagement.json",
    "patterns/analytics/warehouse-ingest-engagement.json",
    "patterns/analytics/warehouse-ingest-metrics.json",
    "patterns/auth/audit-auth-changes.json",
    "patterns/auth/notify-repeated-login-failures.json",
    "patterns/auth/notify-security-changes.json",
    "patterns/auth/security-external-logins.json",
    "patterns/auth/security-session-monitor.json",
    "patterns/system/alert-unhealthy-components.json",
    "patterns/system/audit-data-exports.json",
    "patterns/system/dashboard-import-outcomes.json",
    "patterns/system/dashboard-scaling.json",
    "patterns/system/dashboard-system-events.json",
    "patterns/system/notify-maintenance-windows.json",
    "patterns/user/billing-account-lifecycle.json",
    "patterns/user/billing-suspend-subscriptions.json",
    "patterns/user/recommend-from-preferences.json",
    "patterns/user/search-index-restaurant-activity.json",
    "patterns/user/search-reindex-profile.json",
    "routing.snap.yaml",
];

#[cfg(test)]
mod tests {
    use super::FILES;

    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("inside");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn registry_lists_every_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk = vec![
            "bus-contract.yaml".to_string(),
            "routing.snap.yaml".to_string(),
        ];
        walk(&root.join("contracts"), root, &mut on_disk);
        walk(&root.join("patterns"), root, &mut on_disk);
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| (*p).to_string()).collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "src/workspace/registry.rs must list exactly the registry's files"
        );
    }
}
