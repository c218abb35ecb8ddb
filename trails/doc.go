// Package trails knows what the CloudTrail trails logged: which trails
// exist, whether they record management events, and for which resources they
// record data events (S3 objects, Lambda invocations, DynamoDB items, ...).
//
// The analyzer uses it to decide which granted permissions CloudTrail could
// not have shown: a data-plane action is "unobservable", never "unused", when
// no trail logged data events for it. The configuration comes from a saved
// file (describe-trails and get-event-selectors output, merged in any of the
// shapes people save them) or live from the CloudTrail API. When it is
// unknown, Config.Known is false and every data-plane action counts as
// unobservable.
package trails
