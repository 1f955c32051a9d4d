// The OpenAPI 3.0 description served at GET /api/v1/openapi.json. Kept as one JSON literal so
// the spec reads like the document it is; tst_restserver checks that it parses and names every
// registered route.
#include "headless/indexcontroller.h"

namespace Artemis {

QByteArray IndexController::openApiJson()
{
    static const QByteArray spec = QByteArrayLiteral(R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "Artemis",
    "version": ")json" ARTEMIS_VERSION R"json(",
    "description": "Fetches http://NODE/PATH from many nodes concurrently and stores each JSON answer. With a token configured, /fetch and /api/v1/* need 'Authorization: Bearer TOKEN'; /metric, /metrics, /healthz and /readyz are open. Every error is {\"error\": title, \"details\": message-or-object}."
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {"type": "object", "required": ["error", "details"], "properties": {
        "error": {"type": "string", "example": "Invalid request"},
        "details": {"description": "a message, or {message, nodes: [{index, node, reason}]}"}}},
      "Accepted": {"type": "object", "properties": {
        "success": {"type": "string", "example": "Request is being processed"},
        "hunt": {"type": "string", "example": "01HV6Z8J8XK5Q3M2A1B0C9D8E7"},
        "status": {"type": "string", "example": "/api/v1/hunts/01HV6Z8J8XK5Q3M2A1B0C9D8E7"},
        "results": {"type": "string"},
        "total": {"type": "integer"},
        "duplicates": {"type": "array", "items": {"type": "string"}}}},
      "Options": {"type": "object", "properties": {
        "timeoutMs": {"type": "integer", "minimum": 1, "maximum": 600000, "default": 5000},
        "attempts": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
        "concurrency": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 256},
        "perHostLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 6},
        "maxBodyBytes": {"type": "integer"},
        "backoffBaseMs": {"type": "integer"},
        "backoffCapMs": {"type": "integer"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "extra request headers; values are secrets: never stored or shown (answers list headerNames)"},
        "headerNames": {"type": "array", "items": {"type": "string"}, "readOnly": true},
        "basicAuth": {"type": "object", "required": ["username"], "properties": {
          "username": {"type": "string"}, "password": {"type": "string", "writeOnly": true}},
          "description": "preemptive HTTP Basic auth; the password is never stored or shown"},
        "caFile": {"type": "string", "description": "PEM file on the server of the CA certificate(s) https nodes must chain to, instead of the system's; 400 when unreadable or not PEM"},
        "caPem": {"type": "string", "description": "the same CA certificate(s) as PEM text (answers show it)"},
        "insecureSkipVerify": {"type": "boolean", "default": false, "description": "https: accept any certificate and host name"},
        "followRedirects": {"type": "boolean", "default": false, "description": "follow 3xx (at most 5 hops; never https to http, never to a denied host, never to another origin when headers or basicAuth are set); off: a 3xx is http_error"}}},
      "Hunt": {"type": "object", "properties": {
        "id": {"type": "string"},
        "state": {"type": "string", "enum": ["queued", "running", "done", "cancelled", "interrupted", "failed"]},
        "url": {"type": "string"}, "options": {"$ref": "#/components/schemas/Options"},
        "total": {"type": "integer"}, "done": {"type": "integer"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                   "description": "one key per outcome: ok, http_error, invalid_json, timeout, refused, dns, tls, too_large, cancelled, denied, error"},
        "progress": {"type": "object", "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}, "percent": {"type": "number"}}},
        "createdAt": {"type": "string"}, "startedAt": {"type": "string"}, "finishedAt": {"type": "string"},
        "elapsedMs": {"type": "integer"}, "origin": {"type": "string"}, "error": {"type": "string"},
        "links": {"type": "object"}}},
      "Outcome": {"type": "object", "properties": {
        "node": {"type": "string"}, "url": {"type": "string"},
        "outcome": {"type": "string", "enum": ["ok", "http_error", "invalid_json", "timeout", "refused", "dns", "tls", "too_large", "cancelled", "denied", "error"]},
        "httpStatus": {"type": "integer"}, "attempts": {"type": "integer"}, "latencyMs": {"type": "integer"},
        "bytes": {"type": "integer"}, "fetchedAt": {"type": "string"}, "error": {"type": "string"},
        "body": {"description": "the node's JSON answer; Prometheus text (text/plain, OpenMetrics) parsed to {name: [{labels, value, timestamp?}], \"#meta\": {name: {type, help, unit}}} with NaN/+Inf/-Inf as strings; raw text (truncated) when neither"},
        "raw": {"type": "string", "description": "present when body was parsed from Prometheus text: that text, first 64 KiB"}}},
      "ScheduleRequest": {"type": "object", "required": ["nodes", "url", "every"], "properties": {
        "nodes": {"type": "array", "items": {"type": "string"}}, "url": {"type": "string"},
        "options": {"$ref": "#/components/schemas/Options"},
        "every": {"type": "string", "example": "30s", "description": "interval: a number and one unit (ms, s, m, h, d); at least 1s"},
        "spread": {"type": "string", "example": "2s", "description": "start jitter window: each node's first attempt of a round waits a fixed share (a hash of the node); default min(every/10, 10s); 0 = none; at most every/2"},
        "retention": {"type": "object", "properties": {"keep": {"type": "integer", "minimum": 1, "default": 100}, "maxAge": {"type": "string", "example": "7d"}},
          "description": "older rounds' hunts are deleted (a running round never)"},
        "rounds": {"type": "integer", "minimum": 0, "default": 0, "description": "stop after this many rounds; 0 = never"}}},
      "Schedule": {"type": "object", "properties": {
        "id": {"type": "string"}, "url": {"type": "string"}, "every": {"type": "string"}, "everyMs": {"type": "integer"},
        "spreadMs": {"type": "integer"}, "retention": {"type": "object"}, "maxRounds": {"type": "integer"},
        "options": {"$ref": "#/components/schemas/Options"}, "nodeCount": {"type": "integer"},
        "createdAt": {"type": "string"}, "roundsStarted": {"type": "integer"},
        "skipped": {"type": "integer", "description": "rounds not started because the previous one was still running (or the service was busy)"},
        "lastSkippedAt": {"type": "string"}, "lastSkipReason": {"type": "string"}, "lastError": {"type": "string"},
        "lastRoundAt": {"type": "string"}, "nextRunAt": {"type": "string"}, "completed": {"type": "boolean"},
        "rounds": {"type": "array", "items": {"type": "object", "properties": {"hunt": {"type": "string"}, "round": {"type": "integer"}, "startedAt": {"type": "string"},
          "state": {"type": "string"}, "counts": {"type": "object"}}}},
        "links": {"type": "object"}}},
      "HistoryEntry": {"type": "object", "properties": {
        "hunt": {"type": "string"}, "round": {"type": "integer"}, "fetchedAt": {"type": "string"},
        "outcome": {"type": "string"}, "httpStatus": {"type": "integer"}, "latencyMs": {"type": "integer"},
        "attempts": {"type": "integer"}, "error": {"type": "string"},
        "value": {"description": "the value at 'path' in the node's answer (absent when missing)"},
        "number": {"type": "number", "description": "the value read as a number ('80%' -> 80, '1.5G' -> bytes)"}}}
    },
    "responses": {
      "BadRequest": {"description": "invalid input", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "missing or wrong bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "no such hunt or result", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "body over --max-body or more nodes than --max-nodes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Busy": {"description": "--max-running hunts running and the queue is full", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "parameters": {
      "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
    }
  },
  "security": [{"bearer": []}],
  "paths": {
    "/fetch": {
      "post": {
        "summary": "Start a hunt (the old tool's form call)",
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["node", "url"], "properties": {
          "node": {"type": "array", "items": {"type": "string"}, "description": "repeatable; each may be a comma-separated list"},
          "url": {"type": "string", "example": "metric"}}}}}},
        "responses": {"202": {"description": "accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"}, "429": {"$ref": "#/components/responses/Busy"}}},
      "get": {"summary": "Explains the POST form", "responses": {"405": {"description": "use POST", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    },
    "/api/v1/hunts": {
      "post": {
        "summary": "Start a hunt",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["nodes", "url"], "properties": {
          "nodes": {"type": "array", "items": {"type": "string"}}, "url": {"type": "string"},
          "options": {"$ref": "#/components/schemas/Options"},
          "every": {"type": "string", "description": "makes it a schedule (see POST /api/v1/schedules; also spread, retention, rounds): answered 201 with the schedule"}}}}}},
        "responses": {"201": {"description": "with 'every': the schedule created"}, "202": {"description": "accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"}, "429": {"$ref": "#/components/responses/Busy"}}},
      "get": {
        "summary": "List hunts, newest first",
        "parameters": [
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
          {"name": "before", "in": "query", "schema": {"type": "string"}, "description": "only hunts older than this id (paging)"},
          {"name": "state", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "{hunts: [Hunt], count, next?}"}, "400": {"$ref": "#/components/responses/BadRequest"}}}
    },
    "/api/v1/hunts/{id}": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "get": {"summary": "One hunt: state, counts per outcome, progress, timings",
        "responses": {"200": {"description": "the hunt", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hunt"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}},
      "delete": {"summary": "Delete a finished hunt's data",
        "responses": {"200": {"description": "{deleted: id}"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"description": "the hunt is still queued or running"}}}
    },
    "/api/v1/hunts/{id}/cancel": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "post": {"summary": "Cancel a queued or running hunt",
        "responses": {"202": {"description": "cancelling"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"description": "already finished"}}}
    },
    "/api/v1/hunts/{id}/results": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "get": {"summary": "Results, paged; with 'Accept: application/x-ndjson' the whole set streamed",
        "parameters": [
          {"name": "outcome", "in": "query", "schema": {"type": "string"}},
          {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
        "responses": {"200": {"description": "{hunt, state, total, offset, limit, results: [Outcome], next?} or NDJSON (one Outcome per line)",
          "content": {"application/json": {}, "application/x-ndjson": {}}}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/hunts/{id}/results/{node}": {
      "parameters": [{"$ref": "#/components/parameters/id"}, {"name": "node", "in": "path", "required": true, "schema": {"type": "string"}, "description": "URL-encoded node as given"}],
      "get": {"summary": "One node's outcome",
        "responses": {"200": {"description": "the outcome", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Outcome"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/schedules": {
      "post": {
        "summary": "Repeat a hunt every N (round 1 starts at once; POST /api/v1/hunts with 'every' does the same)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScheduleRequest"}}}},
        "responses": {"201": {"description": "{schedule, hunt (round 1), status, ...Schedule}", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"}, "429": {"$ref": "#/components/responses/Busy"}}},
      "get": {"summary": "Every schedule, oldest first", "responses": {"200": {"description": "{schedules: [Schedule], count}"}}}
    },
    "/api/v1/schedules/{id}": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "get": {"summary": "One schedule: skipped rounds, next run, the newest 100 rounds (newest first) with state and counts",
        "responses": {"200": {"description": "the schedule", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}},
      "delete": {"summary": "Stop and forget a schedule; its rounds stay as ordinary hunts (a running round runs to its end)",
        "responses": {"200": {"description": "{deleted: id, roundsKept: [hunt ids]}"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/schedules/{id}/history": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "get": {"summary": "One node's last outcomes across the retained rounds, newest first, with the value at a JSON path",
        "parameters": [
          {"name": "node", "in": "query", "required": true, "schema": {"type": "string"}, "description": "one of the schedule's nodes, URL-encoded"},
          {"name": "path", "in": "query", "schema": {"type": "string"}, "example": "mem.used", "description": "keys joined by '.', array indexes as [i], odd keys quoted: disks[0].free, labels[\"k8s.io/name\"]"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}],
        "responses": {"200": {"description": "{schedule, node, path, count, history: [HistoryEntry]}"},
          "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}},
    "/metric": {"get": {"summary": "This host's metrics (cpu per core and total %, memory bytes, load, uptime, disk of the data dir, network bytes)", "security": [],
      "responses": {"200": {"description": "JSON"}}}},
    "/metrics": {"get": {"summary": "Artemis' own counters, Prometheus text format", "security": [], "responses": {"200": {"description": "text/plain; version=0.0.4"}}}},
    "/healthz": {"get": {"summary": "Liveness: the service answers", "security": [], "responses": {"200": {"description": "{\"status\": \"ok\"}"}}}},
    "/readyz": {"get": {"summary": "Readiness: the data dir takes writes", "security": [], "responses": {"200": {"description": "{\"status\": \"ready\", \"storage\": {\"writable\": true, \"freeBytes\": N, \"totalBytes\": N}}"}, "503": {"description": "{\"status\": \"not ready\", \"storage\": {\"writable\": false, \"error\": \"No space left on device\", ...}}: new hunts would fail"}}}},
    "/": {"get": {"summary": "HTML index", "security": [], "responses": {"200": {"description": "text/html"}}}}
  }
}
)json");
    return spec;
}

} // namespace Artemis
