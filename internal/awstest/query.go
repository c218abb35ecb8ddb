package awstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// QueryPlan says how the local Athena and CloudTrail Lake run a query:
// every query answers Result, after Running polls that say it is still
// running; Fail makes it end FAILED with that reason instead; Throttle
// answers the first Throttle calls of each polling and paging operation
// with ThrottlingException. BytesScanned is the scan each poll reports,
// and Cutoff the workgroup's BytesScannedCutoffPerQuery (0: none).
type QueryPlan struct {
	Result QueryResult
	// LakeResult, when set, is what CloudTrail Lake answers instead of
	// Result (its request parameters are strings, not JSON).
	LakeResult   *QueryResult
	Running      int
	Fail         string
	Throttle     int
	BytesScanned int64
	Cutoff       int64
}

// QueryResult is a result set: column names and rows (nil for NULL).
type QueryResult struct {
	Header []string
	Rows   [][]*string
}

type execution struct {
	id, sql   string
	polls     int
	cancelled bool
}

// SetQueryPlan sets how later queries run.
func (s *Server) SetQueryPlan(p QueryPlan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plan = p
	s.throttled = map[string]int{}
}

// Queries returns the text of every query started, in order.
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.execs))
	for i, e := range s.execs {
		out[i] = e.sql
	}
	return out
}

func jsonError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func jsonOK(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// throttle reports (and answers) a call to be throttled.
func (s *Server) throttle(w http.ResponseWriter, op string) bool {
	s.mu.Lock()
	n := s.throttled[op]
	hit := n < s.plan.Throttle
	if hit {
		s.throttled[op] = n + 1
	}
	s.mu.Unlock()
	if hit {
		jsonError(w, "ThrottlingException", "Rate exceeded")
	}
	return hit
}

// find returns the index of the query with id, or -1.
func (s *Server) find(id string) int {
	for i, e := range s.execs {
		if e.id == id {
			return i
		}
	}
	return -1
}

// execution returns the query with id, counting a poll when poll is set,
// and its state: "RUNNING", "SUCCEEDED", "FAILED" or "CANCELLED".
func (s *Server) execution(id string, poll bool) (execution, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.find(id)
	if n < 0 {
		return execution{}, "", false
	}
	e := &s.execs[n]
	state := "RUNNING"
	switch {
	case e.cancelled:
		state = "CANCELLED"
	case e.polls >= s.plan.Running && s.plan.Fail != "":
		state = "FAILED"
	case e.polls >= s.plan.Running:
		state = "SUCCEEDED"
	}
	if poll {
		e.polls++
	}
	return *e, state, true
}

func (s *Server) cancel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.find(id); n >= 0 {
		s.execs[n].cancelled = true
	}
}

// start records a query. Its id is made from its text, so that the ids
// golden outputs show do not depend on which other queries ran before.
func (s *Server) start(sql string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := sha256.Sum256([]byte(sql))
	base := "q-" + hex.EncodeToString(h[:6])
	id := base
	for n := 2; s.find(id) >= 0; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	s.execs = append(s.execs, execution{id: id, sql: sql})
	return id
}

// page returns the rows from token on, at most max of them, and the next
// token ("" at the end).
func (s *Server) page(token string, max int, lake bool) ([][]*string, string) {
	s.mu.Lock()
	rows := s.plan.Result.Rows
	if lake && s.plan.LakeResult != nil {
		rows = s.plan.LakeResult.Rows
	}
	s.mu.Unlock()
	from, _ := strconv.Atoi(token)
	if max <= 0 {
		max = 1000
	}
	to := min(from+max, len(rows))
	if from > to {
		from = to
	}
	next := ""
	if to < len(rows) {
		next = strconv.Itoa(to)
	}
	return rows[from:to], next
}

// athena answers the Athena operations iamtrim calls (awsJson1_1,
// X-Amz-Target AmazonAthena.OP).
func (s *Server) athena(w http.ResponseWriter, r *http.Request, op string) {
	var in struct {
		QueryString, QueryExecutionId, NextToken, WorkGroup string
		MaxResults                                          int
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		jsonError(w, "InvalidRequestException", err.Error())
		return
	}
	switch op {
	case "GetWorkGroup":
		s.mu.Lock()
		cutoff := s.plan.Cutoff
		s.mu.Unlock()
		cfg := map[string]any{}
		if cutoff > 0 {
			cfg["BytesScannedCutoffPerQuery"] = cutoff
		}
		jsonOK(w, map[string]any{"WorkGroup": map[string]any{"Name": in.WorkGroup, "State": "ENABLED", "Configuration": cfg}})
	case "StartQueryExecution":
		jsonOK(w, map[string]any{"QueryExecutionId": s.start(in.QueryString)})
	case "StopQueryExecution":
		s.cancel(in.QueryExecutionId)
		jsonOK(w, map[string]any{})
	case "GetQueryExecution":
		if s.throttle(w, op) {
			return
		}
		_, state, ok := s.execution(in.QueryExecutionId, true)
		if !ok {
			jsonError(w, "InvalidRequestException", "QueryExecution "+in.QueryExecutionId+" was not found")
			return
		}
		s.mu.Lock()
		scanned, reason := s.plan.BytesScanned, ""
		if state == "FAILED" {
			reason = s.plan.Fail
		}
		s.mu.Unlock()
		status := map[string]any{"State": state}
		if reason != "" {
			status["StateChangeReason"] = reason
		}
		jsonOK(w, map[string]any{"QueryExecution": map[string]any{
			"QueryExecutionId": in.QueryExecutionId, "Status": status,
			"Statistics": map[string]any{"DataScannedInBytes": scanned},
		}})
	case "GetQueryResults":
		if s.throttle(w, op) {
			return
		}
		if _, state, ok := s.execution(in.QueryExecutionId, false); !ok || state != "SUCCEEDED" {
			jsonError(w, "InvalidRequestException", "Query has not yet finished. Current state: "+state)
			return
		}
		s.mu.Lock()
		header := s.plan.Result.Header
		s.mu.Unlock()
		rows, next := s.page(in.NextToken, in.MaxResults, false)
		var out []map[string]any
		datum := func(vals []*string) map[string]any {
			data := make([]map[string]any, len(vals))
			for i, v := range vals {
				data[i] = map[string]any{}
				if v != nil {
					data[i]["VarCharValue"] = *v
				}
			}
			return map[string]any{"Data": data}
		}
		if in.NextToken == "" {
			h := make([]*string, len(header))
			for i := range header {
				h[i] = &header[i]
			}
			out = append(out, datum(h))
		}
		for _, row := range rows {
			out = append(out, datum(row))
		}
		cols := make([]map[string]any, len(header))
		for i, h := range header {
			cols[i] = map[string]any{"Name": h, "Label": h, "Type": "varchar"}
		}
		resp := map[string]any{"ResultSet": map[string]any{"Rows": out, "ResultSetMetadata": map[string]any{"ColumnInfo": cols}}}
		if next != "" {
			resp["NextToken"] = next
		}
		jsonOK(w, resp)
	default:
		jsonError(w, "UnknownOperationException", "awstest: Athena "+op+" is not served")
	}
}

// lake answers the CloudTrail Lake operations (awsJson1_1,
// X-Amz-Target com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.OP).
func (s *Server) lake(w http.ResponseWriter, r *http.Request, op string) {
	var in struct {
		QueryStatement, QueryId, NextToken string
		MaxQueryResults                    int
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		jsonError(w, "InvalidParameterException", err.Error())
		return
	}
	status := func(state string) string {
		switch state {
		case "SUCCEEDED":
			return "FINISHED"
		}
		return state
	}
	switch op {
	case "StartQuery":
		jsonOK(w, map[string]any{"QueryId": s.start(in.QueryStatement)})
	case "CancelQuery":
		s.cancel(in.QueryId)
		jsonOK(w, map[string]any{"QueryId": in.QueryId, "QueryStatus": "CANCELLED"})
	case "DescribeQuery":
		if s.throttle(w, op) {
			return
		}
		_, state, ok := s.execution(in.QueryId, true)
		if !ok {
			jsonError(w, "QueryIdNotFoundException", "Query "+in.QueryId+" was not found")
			return
		}
		s.mu.Lock()
		resp := map[string]any{"QueryId": in.QueryId, "QueryStatus": status(state),
			"QueryStatistics": map[string]any{"BytesScanned": s.plan.BytesScanned}}
		if state == "FAILED" {
			resp["ErrorMessage"] = s.plan.Fail
		}
		s.mu.Unlock()
		jsonOK(w, resp)
	case "GetQueryResults":
		if s.throttle(w, op) {
			return
		}
		_, state, ok := s.execution(in.QueryId, false)
		if !ok {
			jsonError(w, "QueryIdNotFoundException", "Query "+in.QueryId+" was not found")
			return
		}
		if state != "SUCCEEDED" {
			jsonOK(w, map[string]any{"QueryStatus": status(state), "QueryResultRows": [][]map[string]string{}})
			return
		}
		s.mu.Lock()
		header := s.plan.Result.Header
		if s.plan.LakeResult != nil {
			header = s.plan.LakeResult.Header
		}
		s.mu.Unlock()
		rows, next := s.page(in.NextToken, in.MaxQueryResults, true)
		out := make([][]map[string]string, len(rows))
		for i, row := range rows {
			for j, v := range row {
				if v != nil {
					out[i] = append(out[i], map[string]string{header[j]: *v})
				}
			}
		}
		resp := map[string]any{"QueryStatus": "FINISHED", "QueryResultRows": out}
		if next != "" {
			resp["NextToken"] = next
		}
		jsonOK(w, resp)
	default:
		jsonError(w, "UnknownOperationException", fmt.Sprintf("awstest: CloudTrail %s is not served", op))
	}
}
