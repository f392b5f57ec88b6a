# Blue/green on GKE behind a global external Application Load Balancer, as Cutover releases it:
# two backend services (one per colour, each backed by that colour's GKE NEGs), a URL map whose
# route rule at route_priority carries the weights, and the narrowest IAM for Cutover.

resource "google_compute_health_check" "service" {
  project = var.project_id
  name    = var.name
  http_health_check {
    port_specification = "USE_SERVING_PORT"
    request_path       = var.health_check_path
  }
}

resource "google_compute_backend_service" "colour" {
  for_each              = toset(["blue", "green"])
  project               = var.project_id
  name                  = "${var.name}-${each.key}"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTP"
  health_checks         = [google_compute_health_check.service.id]
  dynamic "backend" {
    for_each = var.negs
    content {
      group                 = "projects/${var.project_id}/zones/${backend.key}/networkEndpointGroups/${backend.value[each.key]}"
      balancing_mode        = "RATE"
      max_rate_per_endpoint = 1000
    }
  }
  # Every request, with its backend service, status and latency: Cutover judges the colours on these.
  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_url_map" "service" {
  project         = var.project_id
  name            = var.name
  default_service = google_compute_backend_service.colour["blue"].id
  host_rule {
    hosts        = ["*"]
    path_matcher = var.name
  }
  path_matcher {
    name            = var.name
    default_service = google_compute_backend_service.colour["blue"].id
    route_rules {
      priority = var.route_priority
      match_rules {
        prefix_match = "/"
      }
      route_action {
        weighted_backend_services {
          backend_service = google_compute_backend_service.colour["blue"].id
          weight          = 100
        }
      }
    }
  }
  # The weights (and Cutover's cohort rule) are Cutover's to move: Terraform creates the rule once
  # and never resets a release in flight.
  lifecycle {
    ignore_changes = [path_matcher]
  }
}

resource "google_compute_global_address" "service" {
  project = var.project_id
  name    = var.name
}

resource "google_compute_target_http_proxy" "service" {
  project = var.project_id
  name    = var.name
  url_map = google_compute_url_map.service.id
}

resource "google_compute_global_forwarding_rule" "service" {
  project               = var.project_id
  name                  = var.name
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_address            = google_compute_global_address.service.id
  port_range            = "80"
  target                = google_compute_target_http_proxy.service.id
}

# Cutover may read and update this URL map only (a condition on its resource name), read its two
# backend services and their endpoints' health (a colour is ready when the load balancer sees it so), follow the
# operations its updates start, and read the cluster's endpoint. What it may do inside the cluster
# is Kubernetes RBAC: patch the two colours' Deployments in their namespace (docs/deploy-gcp.md).
resource "google_project_iam_custom_role" "url_map_weights" {
  project     = var.project_id
  role_id     = "cutoverUrlMapWeights_${replace(var.name, "-", "_")}"
  title       = "Cutover: move the weights of ${var.name}'s URL map"
  permissions = ["compute.urlMaps.get", "compute.urlMaps.update", "compute.backendServices.use", "compute.backendServices.get"]
}

resource "google_project_iam_member" "url_map_weights" {
  project = var.project_id
  role    = google_project_iam_custom_role.url_map_weights.id
  member  = "serviceAccount:${var.functions_service_account}"
  condition {
    title      = "cutover-${var.name}-url-map-only"
    expression = "resource.name == \"projects/${var.project_id}/global/urlMaps/${var.name}\" || resource.name.startsWith(\"projects/${var.project_id}/global/backendServices/${var.name}-\")"
  }
}

resource "google_project_iam_custom_role" "operations" {
  project     = var.project_id
  role_id     = "cutoverGlobalOperations_${replace(var.name, "-", "_")}"
  title       = "Cutover: follow the operations of ${var.name}'s URL map updates"
  permissions = ["compute.globalOperations.get"]
}

resource "google_project_iam_member" "operations" {
  project = var.project_id
  role    = google_project_iam_custom_role.operations.id
  member  = "serviceAccount:${var.functions_service_account}"
}

resource "google_project_iam_member" "cluster_endpoint" {
  project = var.project_id
  role    = "roles/container.clusterViewer"
  member  = "serviceAccount:${var.functions_service_account}"
}

# The load balancer's request logs for this URL map, to Cutover's request-log topic: only its own
# log, only requests a backend answered (a CDN cache hit or a request the load balancer answered
# itself says nothing of either colour). The root module's publisher binding on that topic must
# list this sink's writer identity (output).
resource "google_logging_project_sink" "requests" {
  project                = var.project_id
  name                   = "cutover-${var.name}-lb-requests"
  destination            = "pubsub.googleapis.com/${var.request_log_topic}"
  filter                 = "logName=\"projects/${var.project_id}/logs/requests\" AND resource.type=\"http_load_balancer\" AND resource.labels.url_map_name=\"${var.name}\" AND resource.labels.backend_service_name!=\"\" AND NOT httpRequest.cacheHit=true"
  unique_writer_identity = true
}
