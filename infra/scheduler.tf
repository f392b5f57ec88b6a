# The safety-net tick: every minute, advance every release whose next check is due.
resource "google_cloud_scheduler_job" "tick" {
  name      = "cutover-tick"
  region    = var.region
  schedule  = var.tick_schedule
  time_zone = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.ticks.id
    data       = base64encode("{\"source\":\"cloud-scheduler\"}")
  }

  depends_on = [google_project_service.apis]
}

# Precise per-release timers (onTimer); task names are derived from the release, so retries never double-schedule.
resource "google_cloud_tasks_queue" "timers" {
  name     = "cutover-timers"
  location = var.region

  rate_limits {
    max_dispatches_per_second = 50
  }

  retry_config {
    max_attempts  = 5
    min_backoff   = "1s"
    max_backoff   = "30s"
    max_doublings = 4
  }

  depends_on = [google_project_service.apis]
}
