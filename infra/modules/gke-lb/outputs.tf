output "router" {
  description = "The service config's router block for this setup (add cluster and namespace)."
  value = {
    kind = "gke-lb"
    colours = {
      blue  = { deployment = "${var.name}-blue", backendService = "projects/${var.project_id}/global/backendServices/${var.name}-blue" }
      green = { deployment = "${var.name}-green", backendService = "projects/${var.project_id}/global/backendServices/${var.name}-green" }
    }
    urlMap = { name = var.name, pathMatcher = var.name, priority = var.route_priority }
  }
}

output "address" {
  description = "The load balancer's address."
  value       = google_compute_global_address.service.address
}

output "request_log_writer" {
  description = "The writer identity of the load balancer's request-log sink: a publisher on Cutover's request-log topic."
  value       = google_logging_project_sink.requests.writer_identity
}
