// Package sample generates a synthetic AWS account for tests and
// benchmarks. See the package documentation in README form below.
package sample
