# Release events in BigQuery, for fleets whose four keys outgrow the per-day documents the page
# reads (docs/analytics.md, "BigQuery"). Pub/Sub's native BigQuery subscription writes each
# message on cutover-events as a row: the JSON payload's fields into the columns of the same name,
# Pub/Sub's own metadata (message_id, publish_time, attributes) beside them. No code runs.
locals {
  analytics = var.analytics_dataset == "" ? toset([]) : toset(["on"])
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_bigquery_dataset" "analytics" {
  for_each    = local.analytics
  dataset_id  = var.analytics_dataset
  location    = var.analytics_location
  description = "Cutover release events (Pub/Sub BigQuery subscription on cutover-events)"
  depends_on  = [google_project_service.apis]
}

resource "google_bigquery_table" "release_events" {
  for_each            = local.analytics
  dataset_id          = google_bigquery_dataset.analytics[each.key].dataset_id
  table_id            = "release_events"
  description         = "One row per message on cutover-events; schema in infra/bigquery/release_events.schema.json"
  schema              = file("${path.module}/bigquery/release_events.schema.json")
  deletion_protection = true
  clustering          = ["service", "type"]

  time_partitioning {
    type  = "DAY"
    field = "publish_time"
  }
}

# Pub/Sub's service agent writes the rows: it needs to read the table's schema and insert.
resource "google_bigquery_table_iam_member" "pubsub_writes_events" {
  for_each   = { for pair in setproduct(tolist(local.analytics), ["roles/bigquery.dataEditor", "roles/bigquery.metadataViewer"]) : pair[1] => pair[0] }
  dataset_id = google_bigquery_table.release_events[each.value].dataset_id
  table_id   = google_bigquery_table.release_events[each.value].table_id
  role       = each.key
  member     = local.pubsub_agent
}

resource "google_pubsub_subscription" "events_to_bigquery" {
  for_each = local.analytics
  name     = "cutover-events-bigquery"
  topic    = google_pubsub_topic.events.id

  bigquery_config {
    table = "${var.project_id}.${google_bigquery_table.release_events[each.key].dataset_id}.${google_bigquery_table.release_events[each.key].table_id}"
    # Columns come from the table; payload fields it lacks (added by a later schema version) are
    # dropped rather than blocking the subscription.
    use_table_schema    = true
    drop_unknown_fields = true
    write_metadata      = true
  }

  # A row BigQuery refuses is kept on the dead-letter topic, not retried forever.
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 10
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_bigquery_table_iam_member.pubsub_writes_events]
}

resource "google_pubsub_subscription_iam_member" "events_to_bigquery_dead_letter" {
  for_each     = local.analytics
  subscription = google_pubsub_subscription.events_to_bigquery[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
