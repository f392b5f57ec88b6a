# Request telemetry (issue 9): Cloud Run writes one request log entry per request; a Logging sink
# routes those of candidate revisions to a topic within seconds; the functions drain it with
# synchronous pull at each health measurement (docs/deploy-gcp.md: telemetry, cost, sampling).

resource "google_pubsub_topic" "request_logs" {
  name                       = "cutover-request-logs"
  message_retention_duration = "3600s"
}

# The filter starts by matching no revision: Cutover rewrites it (Logging API, UpdateSink) to the
# candidate revisions of releases in flight and in their watch window, so only candidate traffic is
# exported and paid for. Terraform must not put it back.
resource "google_logging_project_sink" "candidate_requests" {
  name                   = "cutover-candidate-requests"
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.request_logs.id}"
  filter                 = "resource.type=\"cloud_run_revision\" AND log_name=\"projects/${var.project_id}/logs/run.googleapis.com%2Frequests\" AND resource.labels.revision_name=\"cutover-no-candidate\""
  unique_writer_identity = true
  lifecycle {
    ignore_changes = [filter]
  }
}

# The sinks' own writer identities are the only publishers of request logs: this one, and the load
# balancers' of GKE services (modules/gke-lb output request_log_writer).
resource "google_pubsub_topic_iam_binding" "request_logs_publishers" {
  topic   = google_pubsub_topic.request_logs.id
  role    = "roles/pubsub.publisher"
  members = concat([google_logging_project_sink.candidate_requests.writer_identity], var.request_log_writers)
}

resource "google_pubsub_subscription" "telemetry" {
  name                       = "cutover-telemetry"
  topic                      = google_pubsub_topic.request_logs.id
  ack_deadline_seconds       = 30
  message_retention_duration = "3600s"

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 5
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription_iam_member" "functions_pull_telemetry" {
  subscription = google_pubsub_subscription.telemetry.id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.functions.email}"
}

# Entries the functions keep failing on go to the dead-letter topic, like pushed messages.
resource "google_pubsub_subscription_iam_member" "telemetry_dead_letter_subscriber" {
  subscription = google_pubsub_subscription.telemetry.id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Cutover keeps the sink's filter on the candidates it releases: it may read and update that one
# sink, nothing else. logging.configWriter would also let it create sinks that export every log, or
# exclusions that hide the Firestore audit logs.
resource "google_project_iam_custom_role" "sink_filter" {
  project     = var.project_id
  role_id     = "cutoverSinkFilter"
  title       = "Cutover: keep the request-log sink's filter"
  description = "Read and update Cutover's own request-log sink (its filter follows the candidates in play)."
  permissions = ["logging.sinks.get", "logging.sinks.update"]
}

resource "google_project_iam_member" "functions_sink_filter" {
  project = var.project_id
  role    = google_project_iam_custom_role.sink_filter.id
  member  = "serviceAccount:${google_service_account.functions.email}"
  condition {
    title      = "cutover-sink-only"
    expression = "resource.name == \"projects/${var.project_id}/sinks/${google_logging_project_sink.candidate_requests.name}\""
  }
}
