resource "google_artifact_registry_repository" "apps" {
  location      = var.region
  repository_id = "apps"
  format        = "DOCKER"
  depends_on    = [google_project_service.apis]
}

resource "google_service_account" "builder" {
  account_id   = "cutover-builder"
  display_name = "Builds release images"
}

resource "google_artifact_registry_repository_iam_member" "builder_writes" {
  location   = var.region
  repository = google_artifact_registry_repository.apps.repository_id
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.builder.email}"
}

resource "google_project_iam_member" "builder_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.builder.email}"
}

# Example trigger: a push to the release branch builds with cloudbuild.yaml; Cutover takes over
# from the build's status messages (the substitutions name the service).
resource "google_cloudbuild_trigger" "release" {
  count           = var.github_owner == "" ? 0 : 1
  name            = "release-${var.example_alert_service}"
  location        = var.region
  filename        = "cloudbuild.yaml"
  service_account = google_service_account.builder.id

  github {
    owner = var.github_owner
    name  = var.github_repository
    push {
      branch = var.release_branch
    }
  }

  substitutions = {
    _CUTOVER_SERVICE = var.example_alert_service
    _REGION          = var.region
    _REPOSITORY      = google_artifact_registry_repository.apps.repository_id
  }
}
