variable "project_id" {
  description = "Google Cloud project that runs Cutover and the services it releases."
  type        = string
}

variable "region" {
  description = "Region for the functions, the Cloud Tasks queue, Artifact Registry and the target Cloud Run services."
  type        = string
  default     = "europe-west1"
}

variable "firestore_database_id" {
  description = "Id of the dedicated Firestore database that holds Cutover's state (CUTOVER_DATABASE)."
  type        = string
  default     = "cutover"
}

variable "firestore_location" {
  description = "Location of the Firestore database (a region such as europe-west1, or a multi-region such as eur3)."
  type        = string
  default     = "europe-west1"
}

variable "target_services" {
  description = "Names of the Cloud Run services Cutover releases; Cutover gets rights on these services only."
  type        = list(string)
  default     = ["checkout"]
}

variable "hook_jobs" {
  description = "Cloud Run Jobs the services name as gate hooks (hooks[].job: migrations, load tests), by name in var.region; Cutover may run these, with overrides, and read their executions, and no other job."
  type        = list(string)
  default     = []
}

variable "target_runtime_service_account" {
  description = "Email of the service account the target Cloud Run services run as; Cutover must be allowed to act as it to deploy revisions."
  type        = string
}

variable "functions_source_bucket" {
  description = "Cloud Storage bucket holding the zipped Cutover build (npm run build output with package.json and package-lock.json)."
  type        = string
}

variable "functions_source_object" {
  description = "Object name of the zipped Cutover build inside functions_source_bucket."
  type        = string
  default     = "cutover/functions.zip"
}

variable "tick_schedule" {
  description = "Cron schedule of the safety-net tick that advances every due release."
  type        = string
  default     = "* * * * *"
}

variable "example_alert_service" {
  description = "Cloud Run service that gets the example 5xx-ratio alert policy wired to Cutover (empty to skip)."
  type        = string
  default     = "checkout"
}

variable "example_alert_threshold" {
  description = "5xx ratio above which the example alert policy opens an incident."
  type        = number
  default     = 0.05
}

variable "github_owner" {
  description = "GitHub owner of the repository of the example Cloud Build trigger (empty to skip the trigger)."
  type        = string
  default     = ""
}

variable "github_repository" {
  description = "GitHub repository name of the example Cloud Build trigger."
  type        = string
  default     = ""
}

variable "release_branch" {
  description = "Branch whose pushes the example trigger builds and Cutover releases."
  type        = string
  default     = "^main$"
}

variable "status_page_viewers" {
  description = "Members allowed to open the read-only status page, e.g. [\"group:sre@example.com\"]. Empty keeps it closed."
  type        = list(string)
  default     = []
}

variable "platform_admins" {
  description = "Platform admins in IAM syntax (user:, group:, serviceAccount:, domain:): every Cutover role on every service, and the only ones who may register a new service."
  type        = list(string)
  default     = []
}

variable "oauth_client_id" {
  description = "Cutover's OAuth client id: people's ID tokens (CLI sign-in with --client-id-file, the page) carry it as audience. Empty: only tokens minted for onCommand's URL are accepted."
  type        = string
  default     = ""
}

variable "command_invokers" {
  description = "Who may reach onCommand through Cloud Run's IAM. The function verifies every token and role itself; narrow this (e.g. to a domain) for a second gate."
  type        = list(string)
  default     = ["allUsers"]
}

variable "state_readers" {
  description = "People who may read Cutover's Firestore database (read-only: only the control plane's service account writes), e.g. [\"group:sre@example.com\"]."
  type        = list(string)
  default     = []
}

variable "page_origins" {
  description = "The status page's own HTTPS origins (a custom domain mapped to statusPage, or its IAP-protected load balancer), allowed to call onCommand from a browser. Never the shared cloudfunctions.net origin nor localhost: the functions refuse to start with them. Empty: the page is read-only."
  type        = list(string)
  default     = []
}

variable "oauth_clients" {
  description = "Other OAuth clients of Cutover's own (besides oauth_client_id) whose tokens may be presented: a token for Cutover's client must have been obtained by one of these (azp)."
  type        = list(string)
  default     = []
}

variable "allowed_domains" {
  description = "Workspace / Cloud Identity domains served (a person's token must carry hd in this list), plus service-account domains such as PROJECT.iam.gserviceaccount.com for CI callers."
  type        = list(string)
}

variable "command_rate_per_minute" {
  description = "Requests per caller per minute onCommand answers before 429 (per function instance)."
  type        = number
  default     = 30
}

variable "platform_policy" {
  description = "Grants of platform-owned fields to service owners, and deploy policies over many services (docs/api.md: grants, deployPolicies)."
  type        = any
  default     = { grants = [], deployPolicies = [] }
}

variable "analytics_dataset" {
  description = "BigQuery dataset that receives every release event (empty to skip the export)."
  type        = string
  default     = "cutover"
}

variable "analytics_location" {
  description = "Location of the BigQuery dataset (a region such as europe-west1, or EU / US)."
  type        = string
  default     = "EU"
}

variable "chat_webhook_secrets" {
  description = "Secret Manager secret ids, one per chat channel; each secret's latest version holds a Google Chat or Slack incoming webhook URL (a service config's notifications name them)."
  type        = list(string)
  default     = []
}

variable "request_log_writers" {
  description = "Writer identities of other request-log sinks (a GKE service's load balancer: modules/gke-lb output request_log_writer) allowed to publish on Cutover's request-log topic."
  type        = list(string)
  default     = []
}
