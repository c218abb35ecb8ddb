// Package notify tells people what a nightly run found, when it matters:
// it decides from the run's findings, its status and the diff since the
// previous analysis (package snapdiff) whether a notification is due
// (Rules), builds its JSON summary with a short Slack-compatible text field
// (NewPayload), and POSTs it to a webhook (Webhook) with a per-attempt
// timeout and a bounded number of retries.
//
// A notification is a courtesy, not a result: package job logs a failure
// to send one (naming the webhook's host only, since the URL's path or a
// header may be a token) and leaves the run's exit code as it was.
package notify
