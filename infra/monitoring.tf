# Cloud Monitoring delivers incidents to the alerts topic through a Pub/Sub notification channel.
resource "google_monitoring_notification_channel" "cutover" {
  display_name = "Cutover automatic rollback"
  type         = "pubsub"
  labels = {
    topic = google_pubsub_topic.alerts.id
  }
  depends_on = [google_project_service.apis]
}

# Only the Monitoring notification service agent may publish incidents to that topic
# (authoritative for the publisher role on the topic).
resource "google_pubsub_topic_iam_binding" "monitoring_publishes_alerts" {
  topic   = google_pubsub_topic.alerts.id
  role    = "roles/pubsub.publisher"
  members = ["serviceAccount:service-${data.google_project.this.number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com"]
}

# Example: 5xx ratio of one Cloud Run service. A service lists it by resource name
# (rollbackTriggers.alertPolicies: terraform output example_alert_policy); onAlert asks
# AlertPolicyService about it before acting. The label is for people: it maps nothing.
resource "google_monitoring_alert_policy" "run_5xx_ratio" {
  count        = var.example_alert_service == "" ? 0 : 1
  display_name = "${var.example_alert_service} 5xx ratio"
  combiner     = "OR"
  user_labels = {
    cutover-service = var.example_alert_service
  }

  conditions {
    display_name = "5xx ratio above ${var.example_alert_threshold}"
    condition_threshold {
      filter             = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${var.example_alert_service}\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      denominator_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${var.example_alert_service}\" AND metric.type = \"run.googleapis.com/request_count\""
      comparison         = "COMPARISON_GT"
      threshold_value    = var.example_alert_threshold
      duration           = "60s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
      denominator_aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  notification_channels = [google_monitoring_notification_channel.cutover.id]
  alert_strategy {
    auto_close = "1800s"
  }
}
