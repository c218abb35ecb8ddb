package cloudtrail

import "strings"

// LogExtensions are the file (and S3 key) names read as log objects: the
// S3 delivery format (.json, .json.gz) and the JSON Lines files that
// Athena, CloudTrail Lake and other exports write (.jsonl, .ndjson), each
// gzipped or not. ReadObject tells the shapes and gzip apart by content;
// the name only decides what a directory walk or an S3 listing takes.
var LogExtensions = []string{".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"}

// LogNames says LogExtensions in words, for messages.
const LogNames = ".json, .jsonl or .ndjson, optionally .gz"

// IsLogName reports whether a file or key name ends in one of
// LogExtensions.
func IsLogName(name string) bool {
	for _, ext := range LogExtensions {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
