package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/llamacheck"
	"github.com/zqtool/zq/profile/memory"
	"github.com/zqtool/zq/profile/predict"
)

// memoryTarget is the verdict part of a memory report.
type memoryTarget struct {
	Name        string         `json:"name"`
	UsableBytes uint64         `json:"usable_bytes"`
	Verdict     memory.Verdict `json:"verdict"`
	GPULayers   int            `json:"gpu_layers"`
	MaxCtx      map[string]int `json:"max_ctx"`
	GenTPS      float64        `json:"gen_tps_predicted"`
	PromptTPS   float64        `json:"prompt_tps_predicted"`
	EtaSource   string         `json:"eta_source"`
	Label       string         `json:"label"`
}

// memoryReport is zq profile FILE.gguf's output.
type memoryReport struct {
	Model struct {
		Path          string  `json:"path"`
		FileType      string  `json:"file_type"`
		SizeBytes     int64   `json:"size_bytes"`
		BitsPerWeight float64 `json:"bits_per_weight"`
		Params        uint64  `json:"params"`
		Layers        int     `json:"layers"`
		CtxTrain      int     `json:"ctx_train"`
	} `json:"model"`
	Breakdown memory.Breakdown   `json:"breakdown"`
	MiB       map[string]float64 `json:"mib"`
	Target    *memoryTarget      `json:"target,omitempty"`
	LlamaCpp  *llamacheck.Result `json:"llama_cpp,omitempty"`
	Warnings  []string           `json:"warnings,omitempty"`
}

func runMemory(cmd *cobra.Command, path string, target *catalog.Device, pf *profileFlags) error {
	m, err := memory.Open(path)
	if err != nil {
		return err
	}
	ctx := pf.ctx
	if ctx == 0 {
		ctx = 8192
	}
	var rep memoryReport
	if m.CtxTrain > 0 && ctx > m.CtxTrain {
		w := fmt.Sprintf("context %d is beyond the model's trained length %d; quality degrades past it", ctx, m.CtxTrain)
		rep.Warnings = append(rep.Warnings, w)
		fmt.Fprintln(cmd.ErrOrStderr(), "zq profile: warning:", w)
	}
	fa := pf.flashAttn || pf.kv != "f16"
	o := memory.Options{Ctx: ctx, UBatch: pf.ubatch, FlashAttn: fa, KType: pf.kv, VType: pf.kv, GPULayers: pf.gpuLayers}
	var reserve uint64
	if target != nil {
		reserve = target.Budget().Reserve
	}
	b, err := m.Estimate(o, reserve)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	rep.Model.Path, rep.Model.FileType, rep.Model.SizeBytes = path, m.FileType, m.FileSize
	rep.Model.BitsPerWeight, rep.Model.Params, rep.Model.Layers, rep.Model.CtxTrain = m.BitsPerWeight(), m.Params, m.Layers, m.CtxTrain
	rep.Breakdown, rep.MiB = b, b.MiB()
	if target != nil {
		p, err := predict.Run(m, *target, predict.Options{Ctxs: []int{ctx}, KVTypes: []string{pf.kv}, FlashAttn: fa, UBatch: pf.ubatch})
		if err != nil {
			return err
		}
		c := p.Cells[0]
		rep.Target = &memoryTarget{target.Name, p.UsableBytes, c.Verdict, c.GPULayers, map[string]int{}, c.GenTPS, c.PromptTPS, p.EtaSource, p.Label}
		for _, kv := range predict.DefaultKVTypes {
			mc, err := m.MaxCtx(memory.Options{UBatch: pf.ubatch, FlashAttn: fa || kv != "f16", KType: kv, VType: kv}, target.Budget(), m.CtxLimit())
			if err != nil {
				return err
			}
			rep.Target.MaxCtx[kv] = mc
		}
	}
	if pf.checkLlama {
		r, err := llamacheck.Run(cmd.Context(), path, llamacheck.Settings{Ctx: ctx, UBatch: pf.ubatch, FlashAttn: fa, KType: pf.kv, VType: pf.kv})
		if err != nil {
			return err
		}
		rep.LlamaCpp = r
	}
	if pf.format == "json" {
		return writeJSON(cmd.OutOrStdout(), rep)
	}
	return rep.write(cmd.OutOrStdout())
}

func (rep *memoryReport) write(w io.Writer) error {
	b := rep.Breakdown
	mib := func(x uint64) string { return fmt.Sprintf("%.1f", float64(x)/memory.MiB) }
	fmt.Fprintf(w, "model:    %s (%s, %.2f GiB, %.2f bits/weight, %d layers, trained context %d)\n", rep.Model.Path,
		rep.Model.FileType, float64(rep.Model.SizeBytes)/memory.GiB, rep.Model.BitsPerWeight, rep.Model.Layers, rep.Model.CtxTrain)
	offload := "all layers offloaded"
	if b.LayersOnDev < rep.Model.Layers || !b.OutputOnDev {
		offload = fmt.Sprintf("%d of %d repeating layers offloaded, output layer %s", b.LayersOnDev, rep.Model.Layers, map[bool]string{true: "on the device", false: "on the host"}[b.OutputOnDev])
	}
	fmt.Fprintf(w, "settings: context %d (%d cells), KV cache %s/%s, flash attention %s, ubatch %d, %s\n\n",
		b.Ctx, b.CtxPadded, b.KType, b.VType, onOff(b.FlashAttn), b.UBatch, offload)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	llama := rep.LlamaCpp != nil
	if llama {
		fmt.Fprintln(tw, "component\tzq MiB\tllama.cpp MiB\t")
	} else {
		fmt.Fprintln(tw, "component\tMiB\t")
	}
	row := func(name string, v uint64, l string) {
		if llama {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, mib(v), l)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t\n", name, mib(v))
		}
	}
	var lm, lk, lc, lo string = "-", "-", "-", "-"
	if llama {
		var model float64
		for _, r := range rep.LlamaCpp.Rows {
			model += r.Model
		}
		lm, lk = fmt.Sprintf("%.0f", model), fmt.Sprintf("%.1f", rep.LlamaCpp.KVMiB)
		lc, lo = fmt.Sprintf("%.1f", rep.LlamaCpp.ComputeMiB), fmt.Sprintf("%.2f", rep.LlamaCpp.OutputMiB)
	}
	row("weights, device", b.WeightsDev, "")
	row("weights, host (token embedding, layers kept there)", b.WeightsHost, "")
	row("weights, all", b.WeightsDev+b.WeightsHost, lm)
	row("KV cache", b.KVCache, lk)
	if b.KVDev != b.KVCache {
		row("KV cache, device share", b.KVDev, "")
	}
	row("compute buffer", b.Compute, lc)
	row("output buffer (host)", b.OutputBuffer, lo)
	row("runtime reserve", b.Reserve, "")
	row("device total", b.DeviceTotal, "")
	row("host total", b.HostTotal, "")
	row("total", b.Total, "")
	if err := tw.Flush(); err != nil {
		return err
	}
	if rep.LlamaCpp != nil {
		fmt.Fprintf(w, "llama.cpp: %s\n", rep.LlamaCpp.Command)
	}
	if t := rep.Target; t != nil {
		fmt.Fprintf(w, "\ntarget %s (%.1f GiB usable): %s", t.Name, float64(t.UsableBytes)/memory.GiB, t.Verdict)
		if t.Verdict == memory.NoFit {
			fmt.Fprintf(w, " (%d of %d layers fit)", t.GPULayers, rep.Model.Layers+1)
		}
		fmt.Fprintf(w, "; largest context f16 %d, q8_0 %d, q4_0 %d\n", t.MaxCtx["f16"], t.MaxCtx["q8_0"], t.MaxCtx["q4_0"])
		fmt.Fprintf(w, "predicted: ~%.0f tok/s generation at a full %d context, ~%.0f tok/s prompt (rough); %s\n", t.GenTPS, b.Ctx, t.PromptTPS, t.EtaSource)
	}
	for _, s := range rep.Warnings {
		fmt.Fprintln(w, "warning: "+s)
	}
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
