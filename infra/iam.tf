# Dedicated identities with least privilege: no primitive role anywhere (tests enforce it).

locals {
  # IAM condition limiting Firestore roles to Cutover's own database.
  cutover_database_only = "resource.name.startsWith(\"projects/${var.project_id}/databases/${var.firestore_database_id}\")"
}

# Runs the functions: reads/writes Cutover's state, steers the target services, reads their
# metrics, publishes notifications, schedules timers.
resource "google_service_account" "functions" {
  account_id   = "cutover-functions"
  display_name = "Cutover control plane"
}

# Identity on Pub/Sub push and Cloud Tasks requests: may only invoke the functions.
resource "google_service_account" "pusher" {
  account_id   = "cutover-pusher"
  display_name = "Cutover push and timer identity"
}

# Runs the read-only status page: reads Cutover's state, nothing else.
resource "google_service_account" "status_page" {
  account_id   = "cutover-status-page"
  display_name = "Cutover status page (read-only)"
}

resource "google_project_iam_member" "status_page_firestore" {
  project = var.project_id
  role    = "roles/datastore.viewer"
  member  = "serviceAccount:${google_service_account.status_page.email}"
  condition {
    title      = "cutover-database-only"
    expression = local.cutover_database_only
  }
}

resource "google_project_iam_member" "functions_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.functions.email}"
  condition {
    title      = "cutover-database-only"
    expression = local.cutover_database_only
  }
}

resource "google_project_iam_member" "functions_metrics" {
  project = var.project_id
  role    = "roles/monitoring.viewer"
  member  = "serviceAccount:${google_service_account.functions.email}"
}

# Provenance: onCloudBuild reads each build from the Cloud Build API by id before trusting it.
resource "google_project_iam_member" "functions_read_builds" {
  project = var.project_id
  role    = "roles/cloudbuild.builds.viewer"
  member  = "serviceAccount:${google_service_account.functions.email}"
}

# Deploy revisions and change traffic of the target services only.
resource "google_cloud_run_v2_service_iam_member" "functions_develop_targets" {
  for_each = toset(var.target_services)
  location = var.region
  name     = each.value
  role     = "roles/run.developer"
  member   = "serviceAccount:${google_service_account.functions.email}"
}

# Gate hooks that are Cloud Run Jobs: run them with the release in their environment (overrides),
# and read their executions until they end. Only the jobs listed.
resource "google_cloud_run_v2_job_iam_member" "functions_run_hook_jobs" {
  for_each = toset(var.hook_jobs)
  location = var.region
  name     = each.value
  role     = "roles/run.jobsExecutorWithOverrides"
  member   = "serviceAccount:${google_service_account.functions.email}"
}

resource "google_cloud_run_v2_job_iam_member" "functions_read_hook_jobs" {
  for_each = toset(var.hook_jobs)
  location = var.region
  name     = each.value
  role     = "roles/run.viewer"
  member   = "serviceAccount:${google_service_account.functions.email}"
}

# Verification checks call private candidates with an ID token.
resource "google_cloud_run_v2_service_iam_member" "functions_invoke_targets" {
  for_each = toset(var.target_services)
  location = var.region
  name     = each.value
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.functions.email}"
}

# Deploying a revision means acting as the service's runtime identity.
resource "google_service_account_iam_member" "functions_act_as_runtime" {
  service_account_id = "projects/${var.project_id}/serviceAccounts/${var.target_runtime_service_account}"
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.functions.email}"
}

# Only the control plane publishes release events (authoritative: other topic-level publishers are
# removed). notifyChat also checks each event's release against the state before telling anyone.
resource "google_pubsub_topic_iam_binding" "events_publishers" {
  topic   = google_pubsub_topic.events.id
  role    = "roles/pubsub.publisher"
  members = ["serviceAccount:${google_service_account.functions.email}"]
}

resource "google_cloud_tasks_queue_iam_member" "functions_enqueue" {
  name     = google_cloud_tasks_queue.timers.id
  location = var.region
  role     = "roles/cloudtasks.enqueuer"
  member   = "serviceAccount:${google_service_account.functions.email}"
}

# Timer tasks carry the pusher's OIDC token, so the functions must be allowed to act as it.
resource "google_service_account_iam_member" "functions_act_as_pusher" {
  service_account_id = google_service_account.pusher.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.functions.email}"
}

# People read the state (CLI, their own tools) but never write it: writes come only from the
# control plane's service account, through onCommand and the event functions.
resource "google_project_iam_member" "state_readers" {
  for_each = toset(var.state_readers)
  project  = var.project_id
  role     = "roles/datastore.viewer"
  member   = each.value
  condition {
    title      = "cutover-database-only"
    expression = local.cutover_database_only
  }
}

# Firestore Data Access audit logs: every write (and admin read) is logged with its caller, so a
# write that did not come from the control plane's service account is visible.
resource "google_project_iam_audit_config" "firestore_data_access" {
  project = var.project_id
  service = "datastore.googleapis.com"
  audit_log_config {
    log_type = "DATA_WRITE"
  }
  audit_log_config {
    log_type = "ADMIN_READ"
  }
}
