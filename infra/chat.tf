# Chat notifications (docs/notifications.md). notifyChat is one of the functions (functions.tf),
# pushed every release event on cutover-events (pubsub.tf, with retries and a dead letter). A
# webhook URL is a credential: each lives in its own secret, created here empty; add the URL as a
# version yourself, so it never passes through Terraform state:
#   printf %s "$WEBHOOK_URL" | gcloud secrets versions add SECRET_ID --data-file=-
resource "google_secret_manager_secret" "chat_webhook" {
  for_each  = toset(var.chat_webhook_secrets)
  secret_id = each.value

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

# The functions read these secrets, and no others.
resource "google_secret_manager_secret_iam_member" "functions_read_chat_webhook" {
  for_each  = google_secret_manager_secret.chat_webhook
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.functions.email}"
}
