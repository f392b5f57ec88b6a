locals {
  functions = toset(["onCloudBuild", "onAlert", "onTick", "onTimer", "onCommand", "statusPage", "notifyChat", "promoteStages"])
  # Gen 2 functions also answer on this stable URL; using it avoids a function referring to itself.
  timer_url = "https://${var.region}-${var.project_id}.cloudfunctions.net/onTimer"
  # onCommand checks that its callers' ID tokens were minted for it: this URL (service accounts,
  # scripts), or Cutover's OAuth client for people (CLI sign-in, the page).
  command_url = "https://${var.region}-${var.project_id}.cloudfunctions.net/onCommand"
  function_env = {
    CUTOVER_PROJECT                = var.project_id
    CUTOVER_DATABASE               = var.firestore_database_id
    # The target kinds this installation releases to; each service names its own (router.kind).
    CUTOVER_TARGETS                = "cloud-run"
    # Request logs of candidates, streamed; Cloud Monitoring when the stream is silent.
    CUTOVER_HEALTH                 = "telemetry"
    CUTOVER_TELEMETRY_SUBSCRIPTION = google_pubsub_subscription.telemetry.id
    CUTOVER_REQUEST_LOG_SINK       = google_logging_project_sink.candidate_requests.id
    # Custom metrics (analysis.metrics): Cloud Monitoring's Prometheus API, read with monitoring.viewer.
    CUTOVER_PROMETHEUS_URL         = "https://monitoring.googleapis.com/v1/projects/${var.project_id}/location/global/prometheus"
    CUTOVER_NOTIFIER               = "pubsub"
    CUTOVER_EVENTS_TOPIC           = google_pubsub_topic.events.name
    CUTOVER_SCHEDULER              = "cloud-tasks"
    CUTOVER_TASKS_QUEUE            = google_cloud_tasks_queue.timers.id
    CUTOVER_TIMER_URL              = local.timer_url
    CUTOVER_TIMER_SERVICE_ACCOUNT  = google_service_account.pusher.email
    CUTOVER_COMMAND_AUDIENCE       = join(",", compact([local.command_url, var.oauth_client_id]))
    CUTOVER_ADMINS                 = join(",", var.platform_admins)
    # The status page's buttons: people sign in with Cutover's OAuth client, commands go to onCommand.
    CUTOVER_COMMAND_URL            = local.command_url
    CUTOVER_OAUTH_CLIENT_ID        = var.oauth_client_id
    # The page's own origin only (a custom domain, or IAP): the cloudfunctions.net origin is shared by
    # every function of the project and region, so a page there could replay a person's token.
    CUTOVER_PAGE_ORIGINS           = join(",", var.page_origins)
    CUTOVER_OAUTH_CLIENTS          = join(",", compact(concat([var.oauth_client_id], var.oauth_clients)))
    # Who is served at all: tokens outside these domains are refused before anything is looked up.
    CUTOVER_ALLOWED_DOMAINS        = join(",", var.allowed_domains)
    CUTOVER_COMMAND_RATE           = tostring(var.command_rate_per_minute)
    # Grants of platform-owned fields and deploy policies over many services (docs/api.md).
    CUTOVER_PLATFORM               = jsonencode(var.platform_policy)
    # notifyChat: links in chat messages, and the only origins a webhook URL (from Secret Manager) may have.
    CUTOVER_STATUS_PAGE_URL        = "https://${var.region}-${var.project_id}.cloudfunctions.net/statusPage"
    CUTOVER_CHAT_WEBHOOK_ORIGINS   = "https://chat.googleapis.com,https://hooks.slack.com"
    LOG_LEVEL                      = "info"
  }
}

# The entry points of functions/register.ts, all from one build (package.json "main").
resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions
  name     = each.value
  location = var.region

  build_config {
    # Cloud Run functions decommissioned nodejs20 on 2026-10-30; Node.js 22 is supported to 2027-10-31.
    runtime     = "nodejs22"
    entry_point = each.value
    source {
      storage_source {
        bucket = var.functions_source_bucket
        object = var.functions_source_object
      }
    }
  }

  service_config {
    # The status page only reads state, under its own read-only identity.
    service_account_email            = each.value == "statusPage" ? google_service_account.status_page.email : google_service_account.functions.email
    # Measured (npm run bench:memory, docs/reliability.md): 8 concurrent maximum-size pushes peak at
    # ~515 MiB RSS (load generator in the same process included); 512Mi had no headroom.
    available_memory                 = "1Gi"
    # A deploy waits for the candidate to become ready (up to 5 min); the effect is re-issued after CUTOVER_DEPLOY_TIMEOUT.
    timeout_seconds                  = 540
    max_instance_count               = 20
    # onAlert stays warm: an incident must not wait for a cold start to roll back.
    min_instance_count               = each.value == "onAlert" ? 1 : 0
    max_instance_request_concurrency = 8
    available_cpu                    = "1"
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    environment_variables            = local.function_env
  }

  depends_on = [google_project_service.apis, google_firestore_database.cutover]
}

# Only the pusher identity (Pub/Sub push, Cloud Tasks) may invoke the event functions.
resource "google_cloud_run_service_iam_member" "pusher_invokes" {
  for_each = setsubtract(local.functions, ["statusPage", "onCommand"])
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.value].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.pusher.email}"
}

# The read-only status page is for people: only the members listed may open it
# (e.g. through `gcloud run services proxy statuspage`, which adds their identity token).
resource "google_cloud_run_service_iam_member" "status_page_viewers" {
  for_each = toset(var.status_page_viewers)
  location = var.region
  service  = google_cloudfunctions2_function.fn["statusPage"].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}

# People reach onCommand with their own ID token, which the function verifies itself (signature,
# audience, expiry) before looking up their role; Cloud Run's own check cannot accept a token
# minted for Cutover's OAuth client, so by default any caller reaches the function's check.
resource "google_cloud_run_service_iam_member" "command_invokers" {
  for_each = toset(var.command_invokers)
  location = var.region
  service  = google_cloudfunctions2_function.fn["onCommand"].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}
