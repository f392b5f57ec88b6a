# Topic names match shared/topology.ts. Cloud Build publishes build status to "cloud-builds" by itself.
resource "google_pubsub_topic" "cloud_builds" {
  name       = "cloud-builds"
  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "alerts" {
  name = "cutover-alerts"
}

resource "google_pubsub_topic" "ticks" {
  name = "cutover-ticks"
}

resource "google_pubsub_topic" "events" {
  name = "cutover-events"
}

# Messages a function keeps refusing (5xx after max_delivery_attempts) land here, not in a loop.
resource "google_pubsub_topic" "dead_letter" {
  name                       = "cutover-dead-letter"
  message_retention_duration = "604800s"
}

resource "google_pubsub_subscription" "dead_letter_keep" {
  name                       = "cutover-dead-letter-keep"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

locals {
  # subscription => topic, function
  pushes = {
    "cutover-on-cloud-build" = { topic = google_pubsub_topic.cloud_builds.id, function = "onCloudBuild" }
    "cutover-on-alert"       = { topic = google_pubsub_topic.alerts.id, function = "onAlert" }
    "cutover-on-tick"        = { topic = google_pubsub_topic.ticks.id, function = "onTick" }
    # Release events to chat channels (infra/chat.tf): beside the release, never in its path.
    "cutover-notify-chat" = { topic = google_pubsub_topic.events.id, function = "notifyChat" }
    # Environments in order: a stage's release events reach the stages that promote from it.
    "cutover-promote-stages" = { topic = google_pubsub_topic.events.id, function = "promoteStages" }
  }
}

resource "google_pubsub_subscription" "push" {
  for_each             = local.pushes
  name                 = each.key
  topic                = each.value.topic
  ack_deadline_seconds = 600

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.pusher.email
    }
  }

  retry_policy {
    minimum_backoff = "1s"
    maximum_backoff = "60s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 10
  }

  expiration_policy {
    ttl = ""
  }
}

# The Pub/Sub service agent forwards dead letters and mints push OIDC tokens.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.dead_letter.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = local.pushes
  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_service_account_iam_member" "pubsub_token_creator" {
  service_account_id = google_service_account.pusher.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Only Cloud Build's own service agent publishes build statuses. Authoritative for the publisher
# role on this topic (other topic-level publishers are removed); a project-level publisher (an
# editor) can still publish, which is why onCloudBuild trusts only what the Cloud Build API says.
resource "google_pubsub_topic_iam_binding" "cloud_builds_publishers" {
  topic   = google_pubsub_topic.cloud_builds.id
  role    = "roles/pubsub.publisher"
  members = ["serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudbuild.iam.gserviceaccount.com"]
}
