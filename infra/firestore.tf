# Cutover's state: a dedicated Firestore database (docs/state.md).
resource "google_firestore_database" "cutover" {
  name        = var.firestore_database_id
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"
  depends_on  = [google_project_service.apis]
}

# Deduplication records expire by TTL.
resource "google_firestore_field" "processed_events_ttl" {
  database   = google_firestore_database.cutover.name
  collection = "processedEvents"
  field      = "expireAt"
  ttl_config {}
  index_config {}
}

resource "google_firestore_field" "rejected_events_ttl" {
  database   = google_firestore_database.cutover.name
  collection = "rejectedEvents"
  field      = "expireAt"
  ttl_config {}
  index_config {}
}

# notifyChat's record of which channel got which message expires by TTL too.
resource "google_firestore_field" "chat_deliveries_ttl" {
  database   = google_firestore_database.cutover.name
  collection = "chatDeliveries"
  field      = "expireAt"
  ttl_config {}
  index_config {}
}

# cutover status SERVICE: newest releases of a service.
resource "google_firestore_index" "releases_by_service" {
  database   = google_firestore_database.cutover.name
  collection = "releases"
  fields {
    field_path = "service"
    order      = "ASCENDING"
  }
  fields {
    field_path = "createdAt"
    order      = "DESCENDING"
  }
}

# Request telemetry buckets expire by TTL, and a health window reads one revision's buckets in order.
resource "google_firestore_field" "telemetry_ttl" {
  database   = google_firestore_database.cutover.name
  collection = "telemetry"
  field      = "expireAt"
  ttl_config {}
  index_config {}
}

resource "google_firestore_index" "telemetry_by_revision" {
  database   = google_firestore_database.cutover.name
  collection = "telemetry"
  fields {
    field_path = "service"
    order      = "ASCENDING"
  }
  fields {
    field_path = "revision"
    order      = "ASCENDING"
  }
  fields {
    field_path = "start"
    order      = "ASCENDING"
  }
}
