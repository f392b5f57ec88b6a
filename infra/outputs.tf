output "firestore_database" {
  description = "The Firestore database holding Cutover's state (set CUTOVER_DATABASE to it for the CLI)."
  value       = google_firestore_database.cutover.name
}

output "function_urls" {
  description = "URLs of the Cutover functions."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "events_topic" {
  description = "Topic carrying Cutover's lifecycle notifications."
  value       = google_pubsub_topic.events.id
}

output "notification_channel" {
  description = "Monitoring notification channel to add to alert policies that should roll back releases."
  value       = google_monitoring_notification_channel.cutover.id
}

output "command_url" {
  description = "onCommand's URL: set CUTOVER_COMMAND_URL to it for the CLI (tokens must be minted for it, or for oauth_client_id)."
  value       = local.command_url
}

output "example_alert_policy" {
  description = "The example alert policy's resource name, to list under a service's rollbackTriggers.alertPolicies."
  value       = var.example_alert_service == "" ? null : google_monitoring_alert_policy.run_5xx_ratio[0].name
}
