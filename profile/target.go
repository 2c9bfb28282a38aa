package profile

import (
	"context"
	"fmt"

	"github.com/zqtool/zq/profile/catalog"
	"github.com/zqtool/zq/profile/hw"
	"github.com/zqtool/zq/profile/measure"
)

// resolveTarget returns the target: the one given, else this machine.
func resolveTarget(ctx context.Context, o *Options) (catalog.Device, error) {
	if o.Target != nil {
		return *o.Target, nil
	}
	return o.local(ctx)
}

// ThisMachine describes the machine zq runs on as a target: its first GPU
// with known VRAM and a catalog entry (bandwidth and class), else its CPU
// and RAM with a measured memory bandwidth.
func ThisMachine(ctx context.Context) (catalog.Device, error) {
	info := hw.Detect(ctx, hw.Sources{})
	for _, g := range info.GPUs {
		if g.VRAMTotalBytes == 0 || g.BandwidthGBs == 0 || g.Class == "" {
			continue
		}
		d, err := catalog.Custom(g.VRAMTotalBytes, g.BandwidthGBs, g.Class)
		if err != nil {
			return d, err
		}
		d.Name = "this machine (" + g.Name + ")"
		return d, nil
	}
	d, err := catalog.Custom(info.Memory.TotalBytes, measure.Bandwidth(), "cpu")
	if err != nil {
		return d, fmt.Errorf("this machine: %w", err)
	}
	d.Name = fmt.Sprintf("this machine (CPU, %.0f GiB RAM)", float64(info.Memory.TotalBytes)/(1<<30))
	return d, nil
}
