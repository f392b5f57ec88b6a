variable "project_id" {
  description = "The project of the cluster, the load balancer and Cutover."
  type        = string
}

variable "name" {
  description = "The service's name: it names the URL map, the backend services (NAME-blue, NAME-green) and the health check."
  type        = string
}

variable "negs" {
  description = "The standalone NEGs GKE creates for each colour's Service (annotation cloud.google.com/neg exposed_ports name NAME-blue / NAME-green), by zone: { zone = { blue = NEG name, green = NEG name } }."
  type        = map(object({ blue = string, green = string }))
}

variable "health_check_path" {
  description = "The path the load balancer's health check asks on each endpoint."
  type        = string
  default     = "/healthz"
}

variable "route_priority" {
  description = "The priority of the route rule whose weights Cutover sets (the service config's router.urlMap.priority)."
  type        = number
  default     = 100
}

variable "functions_service_account" {
  description = "Cutover's functions' service account email: it may read and update this URL map only, and read the cluster."
  type        = string
}

variable "request_log_topic" {
  description = "Cutover's request-log topic (projects/P/topics/cutover-request-logs): the load balancer's request logs for this URL map are exported there."
  type        = string
}
