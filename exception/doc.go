// Package exception reads the exceptions register (accepted risks: which
// principals, optionally which actions, why, who owns the risk, until
// when, under which ticket) and applies it to an analysis snapshot.
//
// An excepted finding stays visible, marked with its exception, and no
// longer counts toward --fail-on; an exception past its expiry accepts
// nothing and is a finding of its own (expired-exception). The same
// register is read from the job configuration's `exceptions:` key or from
// a file given with --exceptions to analyze, report and run. It sits
// beside analyze in the pipeline: analyze decides the findings, this
// package decides which of them are accepted, report and job show and
// count them.
package exception
