package backtest

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/iamtrim/iamtrim/untrusted"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteTable writes one row per principal, a totals row, then the denied
// calls of actions used in training (the tool's defects) and the windows.
func WriteTable(w io.Writer, rep *Report) error {
	right := tw.AlignRight
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{tw.AlignLeft, tw.AlignLeft, right, right, right, right, right, right}}),
	)
	t.Header("principal", "proof", "test calls", "denied", "trained", "untrained", "unmapped", "removed")
	for _, r := range rep.Principals {
		proof := "proven"
		if !r.Proven {
			proof = "UNPROVEN"
		}
		if r.InsufficientEvidence {
			proof += " (thin)"
		}
		if err := t.Append(r.Type+"/"+untrusted.Terminal(r.Name), proof, fmt.Sprint(r.TestCalls), fmt.Sprint(r.Denied),
			fmt.Sprint(r.DeniedTrained), fmt.Sprint(r.DeniedUntrained), fmt.Sprint(r.Unmapped), removed(r.Removed, r.Granted, r.RemovedShare)); err != nil {
			return err
		}
	}
	tt := rep.Totals
	if err := t.Append(fmt.Sprintf("total (%d)", tt.Principals), fmt.Sprintf("%d unproven", tt.Unproven), fmt.Sprint(tt.TestCalls), fmt.Sprint(tt.Denied),
		fmt.Sprint(tt.DeniedTrained), fmt.Sprint(tt.DeniedUntrained), fmt.Sprint(tt.Unmapped), removed(tt.Removed, tt.Granted, tt.RemovedShare)); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, r := range rep.Principals {
		for _, d := range r.Denials {
			if !d.Trained {
				continue
			}
			res := d.Resource
			if res == "" {
				res = "(no resource named)"
			}
			if _, err := fmt.Fprintf(w, "denied, used in training (%s): %s %s on %s (%d calls)\n",
				d.Cause, untrusted.Terminal(r.Name), d.Action, untrusted.Terminal(res), d.Calls); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprintf(w, "train %s..%s (%d days) · test %s..%s (%d days) · trained: denied calls of actions used in training (a defect); untrained: actions never used in training (seasonal or new work)\n",
		rep.Train.From, rep.Train.To, rep.Train.Days, rep.Test.From, rep.Test.To, rep.Test.Days)
	return err
}

func removed(n, of int, share float64) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.0f%%)", n, of, 100*share)
}
