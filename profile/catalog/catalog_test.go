package catalog

import (
	"errors"
	"strings"
	"testing"

	"github.com/zqtool/zq/profile/memory"
)

func TestFind(t *testing.T) {
	cases := []struct{ query, want string }{
		{"3060", "RTX 3060 12GB"},
		{"rtx 3060", "RTX 3060 12GB"},
		{"RTX3060 12GB", "RTX 3060 12GB"},
		{"NVIDIA GeForce RTX 3060", "RTX 3060 12GB"},
		{"rtx 3060 8gb", "RTX 3060 8GB"},
		{"3060 ti", "RTX 3060 Ti"},
		{"4090", "RTX 4090"},
		{"geforce rtx 4070", "RTX 4070"},
		{"4070 ti super", "RTX 4070 Ti SUPER"},
		{"m2 max 96", "M2 Max 96GB"},
		{"M2 Max 96GB", "M2 Max 96GB"},
		{"apple m2max 64 gb", "M2 Max 64GB"},
		{"m3 max 96", "M3 Max 30-core GPU 96GB"},
		{"m1 16gb", "M1 16GB"},
		{"a100 40gb", "A100 40GB"},
		{"h100", "H100 PCIe"},
		{"rx7900xtx", "RX 7900 XTX"},
	}
	for _, c := range cases {
		d, err := Find(c.query)
		if err != nil || d.Name != c.want {
			t.Errorf("Find(%q) = %q, %v; want %q", c.query, d.Name, err, c.want)
		}
	}
}

func TestFindAmbiguousAndUnknown(t *testing.T) {
	_, err := Find("m2 max")
	var me *MatchError
	if !errors.As(err, &me) || !me.Ambiguous || len(me.Candidates) != 3 {
		t.Fatalf("m2 max: %v", err)
	}
	if !strings.Contains(err.Error(), "M2 Max 96GB") {
		t.Errorf("candidates not listed: %v", err)
	}
	for _, q := range []string{"rtx 3066", "rtx 9999", "rtx 5060"} {
		_, err = Find(q)
		if !errors.As(err, &me) || me.Ambiguous || len(me.Candidates) == 0 {
			t.Errorf("%s: %v (want suggestions)", q, err)
		}
	}
	if _, err := Find("zzzz qqqq"); err == nil || !strings.Contains(err.Error(), "unknown target") {
		t.Errorf("nonsense: %v", err)
	}
	if _, err := Find(""); err == nil {
		t.Error("empty query accepted")
	}
}

func TestUsableAndBudget(t *testing.T) {
	d, _ := Find("rtx 3060")
	if d.MemoryBytes != 12*memory.GiB || d.BandwidthGBs != 360 || d.UsableBytes() != 12*memory.GiB || d.Budget().Reserve == 0 || d.Budget().Unified {
		t.Errorf("3060: %+v", d)
	}
	m, _ := Find("m2 16")
	if m.Budget().Usable != 16*memory.GiB*67/100 || !m.Budget().Unified {
		t.Errorf("M2 16GB usable %d", m.Budget().Usable)
	}
	m, _ = Find("m2 max 96")
	if m.Budget().Usable != 72*memory.GiB {
		t.Errorf("M2 Max 96GB usable %d", m.Budget().Usable)
	}
	c, err := Custom(12*memory.GiB, 360, "")
	if err != nil || c.UsableBytes() != 12*memory.GiB || !c.Custom {
		t.Errorf("custom: %+v %v", c, err)
	}
	if _, err := Custom(0, 360, ""); err == nil {
		t.Error("custom without memory accepted")
	}
	if _, err := Custom(1, 1, "tpu"); err == nil {
		t.Error("unknown class accepted")
	}
}

func TestCatalogComplete(t *testing.T) {
	ds, err := All()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, d := range ds {
		if names[d.Name] {
			t.Errorf("duplicate device %q", d.Name)
		}
		names[d.Name] = true
		if d.Class.Eta <= 0 || d.Class.Eta > 1 || d.Class.EtaKQuant <= 0 {
			t.Errorf("%s: efficiency %+v", d.Name, d.Class)
		}
		// Every device must be reachable by its own name.
		got, err := Find(d.Name)
		if err != nil || got.Name != d.Name {
			t.Errorf("Find(own name %q) = %q, %v", d.Name, got.Name, err)
		}
	}
	if len(ds) < 60 {
		t.Errorf("only %d devices", len(ds))
	}
}
