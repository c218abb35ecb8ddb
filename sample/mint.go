package sample

import (
	"fmt"
	"time"
)

// Resources the workload mints as it runs. Their names are a function of
// the parent, the day and a small index, so the set of them grows with the
// number of days, never with the number of events, and a later period
// (truth's nextMonth) gets fresh ones.

// minted returns the resource a minting activity acts on, made once.
func (o *org) minted(a *activity, parent *res, region int, t time.Time, k int) *res {
	r := a.mint(o, parent, region, t.UTC().Truncate(24*time.Hour), k)
	if have, ok := o.mintedRes[r.arn]; ok {
		return have
	}
	if o.mintedRes == nil {
		o.mintedRes = map[string]*res{}
	}
	o.mintedRes[r.arn] = r
	return r
}

// hexID is a stable pseudo-random hex string of n digits for the given
// parts (FNV-1a, then SplitMix64 rounds).
func hexID(n int, parts ...any) string {
	h := uint64(14695981039346656037)
	for _, p := range parts {
		for _, c := range []byte(fmt.Sprint(p)) {
			h ^= uint64(c)
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	b := make([]byte, n)
	for i := range b {
		h = mix(h + 0x9e3779b97f4a7c15)
		b[i] = hexDigits[h&0xf]
	}
	return string(b)
}

// lambdaStream is a Lambda execution environment's log stream:
// YYYY/MM/DD/[$LATEST]<32 hex>, one per cold start.
func lambdaStream(_ *org, lg *res, _ int, t time.Time, k int) *res {
	stream := t.Format("2006/01/02") + "/[$LATEST]" + hexID(32, lg.arn, t.Format(time.DateOnly), k)
	return &res{kind: "logstream", arn: lg.arn + ":log-stream:" + stream, name: lg.name, sub: stream, region: lg.region}
}

// datedObject writes under PREFIXdt=YYYY-MM-DD/part-NNNNN.EXT.
func datedObject(prefix, ext string) func(*org, *res, int, time.Time, int) *res {
	return func(_ *org, b *res, _ int, t time.Time, k int) *res {
		key := fmt.Sprintf("%sdt=%s/part-%05d.%s", prefix, t.Format(time.DateOnly), k, ext)
		return &res{kind: "object", arn: b.arn + "/" + key, name: b.name, sub: key, region: b.region}
	}
}

// scaledInstance is an instance an autoscaler launched that day.
func scaledInstance(o *org, _ *res, region int, t time.Time, k int) *res {
	id := "i-0" + hexID(16, "instance", o.region(region), t.Format(time.DateOnly), k)
	return &res{kind: "instance", arn: "arn:aws:ec2:" + o.region(region) + ":" + Account + ":instance/" + id, name: id, region: region}
}

// ecsTask is a task started on cluster c.
func ecsTask(_ *org, c *res, _ int, t time.Time, k int) *res {
	id := hexID(32, c.arn, t.Format(time.DateOnly), k)
	arn := "arn:aws:ecs:" + regionOf(c.arn) + ":" + Account + ":task/" + c.name + "/" + id
	return &res{kind: "task", arn: arn, name: c.name, sub: id, region: c.region}
}

// taskRevision is the revision of task definition family f in use that
// day: a deploy every Monday registers the next one.
func taskRevision(_ *org, f *res, _ int, t time.Time, _ int) *res {
	rev := 40 + int(t.Sub(DefaultStart).Hours()/24/7)
	return &res{kind: "taskdef", arn: fmt.Sprintf("%s:%d", f.arn, rev), name: f.name, sub: fmt.Sprint(rev), region: f.region}
}

// sfnExecution is an execution of state machine m.
func sfnExecution(_ *org, m *res, _ int, t time.Time, k int) *res {
	name := t.Format("20060102") + "-" + hexID(8, m.arn, t.Format(time.DateOnly), k)
	arn := "arn:aws:states:" + regionOf(m.arn) + ":" + Account + ":execution:" + m.name + ":" + name
	return &res{kind: "execution", arn: arn, name: m.name, sub: name, region: m.region}
}

// regionOf is the region field of an ARN.
func regionOf(arn string) string {
	n := 0
	for i := 0; i < len(arn); i++ {
		if arn[i] == ':' {
			n++
			if n == 3 {
				j := i + 1
				for j < len(arn) && arn[j] != ':' {
					j++
				}
				return arn[i+1 : j]
			}
		}
	}
	return ""
}
