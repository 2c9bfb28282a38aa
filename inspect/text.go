package inspect

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/zqtool/zq/imatrix"
)

// maxTextValue is how many characters of a string value the table shows
// unless Full is set.
const maxTextValue = 80

// WriteText prints the report as human-readable tables.
func (r *Report) WriteText(w io.Writer, full bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if r.Format == "imatrix-dat" {
		fmt.Fprintf(tw, "%s: legacy .dat importance matrix\n", r.Path)
		writeImatrix(tw, r.Imatrix)
		if r.FileSHA256 != "" {
			fmt.Fprintf(tw, "sha256: %s\n", r.FileSHA256)
		}
		return tw.Flush()
	}
	switch r.Format {
	case "gguf":
		fmt.Fprintf(tw, "%s: GGUF v%d, %d metadata keys, %d tensors, alignment %d, data at byte %d\n\n",
			r.Path, r.Version, len(r.KVOrder), len(r.Tensors), r.Alignment, r.DataOffset)
		fmt.Fprintln(tw, "KEY\tTYPE\tVALUE")
		for _, k := range r.KVOrder {
			e := r.KV[k]
			fmt.Fprintf(tw, "%s\t%s\t%s\n", k, typeName(e.Types), valueText(e, full))
		}
	default:
		fmt.Fprintf(tw, "%s: safetensors, %d tensors\n", r.Path, len(r.Tensors))
		for shard, md := range r.Shards {
			fmt.Fprintf(tw, "%s metadata: %v\n", shard, md)
		}
	}
	fmt.Fprintln(tw)
	if r.Format == "gguf" {
		fmt.Fprintln(tw, "#\tTENSOR\tTYPE\tSHAPE (ne)\tBYTES\tOFFSET")
	} else {
		fmt.Fprintln(tw, "#\tTENSOR\tDTYPE\tSHAPE\tBYTES\tSHARD")
	}
	for i, t := range r.Tensors {
		if r.Format == "gguf" {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%d\t%d\n", i, t.Name, t.Type, t.NE, t.NBytes, t.Offset)
		} else {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%d\t%s\n", i, t.Name, t.Type, t.Shape, t.NBytes, t.Shard)
		}
	}
	fmt.Fprintf(tw, "\ntotal: %d tensors, %s parameters, %s, %.2f bits per weight\n",
		r.Totals.Tensors, humanCount(r.Totals.Parameters), humanBytes(r.Totals.Bytes), r.Totals.BitsPerWeight)
	if r.FileSHA256 != "" {
		fmt.Fprintf(tw, "sha256: %s\n", r.FileSHA256)
	}
	if r.Imatrix != nil {
		fmt.Fprintln(tw)
		writeImatrix(tw, r.Imatrix)
	}
	return tw.Flush()
}

// writeImatrix prints an importance matrix's datasets, chunks and
// per-weight statistics of in_sum2/count.
func writeImatrix(w io.Writer, s *imatrix.Summary) {
	size := ""
	if s.ChunkSize > 0 {
		size = fmt.Sprintf(" of %d tokens", s.ChunkSize)
	}
	fmt.Fprintf(w, "importance matrix (%s): %d entries, %d chunks%s, datasets %s\n\n",
		s.Format, len(s.Entries), s.ChunkCount, size, listText(s.Datasets))
	count := "COUNT"
	if s.Format == imatrix.FormatDat {
		count = "CHUNKS"
	}
	fmt.Fprintf(w, "ENTRY\tVALUES\tMATRICES\t%s\tMEAN\tMIN\tMAX\tSTDDEV\tACTIVE\n", count)
	for _, e := range s.Entries {
		fmt.Fprintf(w, "%s\t%d\t%d\t%.0f\t%.4g\t%.4g\t%.4g\t%.4g\t%.1f%%\n",
			e.Name, e.Values, e.Matrices, e.Count, e.Mean, e.Min, e.Max, e.StdDev, 100*e.Active)
	}
}

var gguftypeNames = []string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
	"bool", "string", "array", "uint64", "int64", "float64"}

func typeName(types []int) string {
	name := func(t int) string {
		if t >= 0 && t < len(gguftypeNames) {
			return gguftypeNames[t]
		}
		return strconv.Itoa(t)
	}
	if len(types) == 2 && types[0] == 9 {
		return "[]" + name(types[1])
	}
	return name(types[0])
}

func valueText(e KVEntry, full bool) string {
	if e.Summed {
		return fmt.Sprintf("%d items: %s, … (sha256 %s…)", e.Len, listText(e.Head), e.SHA256[:12])
	}
	v := reflect.ValueOf(e.Value)
	if v.Kind() == reflect.Slice {
		return listText(e.Value)
	}
	if s, ok := e.Value.(string); ok {
		q := strconv.Quote(s)
		if !full && len(q) > maxTextValue {
			q = q[:maxTextValue] + "…"
		}
		return q
	}
	return fmt.Sprint(e.Value)
}

func listText(items any) string {
	v := reflect.ValueOf(items)
	parts := make([]string, v.Len())
	for i := range parts {
		x := v.Index(i).Interface()
		if s, ok := x.(string); ok {
			parts[i] = strconv.Quote(s)
		} else {
			parts[i] = fmt.Sprint(x)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func humanCount(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f B", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2f M", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.2f K", float64(n)/1e3)
	}
	return strconv.FormatUint(n, 10)
}

func humanBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
