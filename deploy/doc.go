// Package deploy holds the deployment files of the Ultra gateway, not code: the Prometheus alert rules
// (prometheus/alerts.yaml and their promtool unit tests), the Grafana dashboard (grafana/ultra.json),
// the compose file of a two-replica deployment (compose.yaml) and the operator's guide (README.md).
//
// Its tests keep those files honest: they scrape a running gateway's /metrics and fail when a rule or
// a panel names a metric or label the gateway does not export, run `promtool check rules` and
// `promtool test rules`, and validate compose.yaml with `docker compose config`.
package deploy
