package convert

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/zqtool/zq/internal/testutil"
)

// TestConfigThatCannotRun checks that config values giving a model the
// forward pass (and llama.cpp) would refuse are refused before anything is
// written, with the config.json key named: the same rules as
// model.ParseHparams, applied through package llamahp.
func TestConfigThatCannotRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit map[string]any
		want []string
	}{
		{"zero rms_norm_eps", map[string]any{"rms_norm_eps": 0}, []string{"layer_norm_rms_epsilon", "rms_norm_eps", "not a positive epsilon"}},
		{"negative rms_norm_eps", map[string]any{"rms_norm_eps": -1e-5}, []string{"rms_norm_eps"}},
		{"huge rms_norm_eps", map[string]any{"rms_norm_eps": 2}, []string{"rms_norm_eps"}},
		{"zero rope_theta", map[string]any{"rope_theta": 0}, []string{"rope.freq_base", "rope_theta"}},
		{"negative rope_theta", map[string]any{"rope_theta": -10000}, []string{"rope_theta"}},
		{"heads do not divide hidden_size", map[string]any{"num_attention_heads": 3, "num_key_value_heads": 1}, []string{"hidden_size", "num_attention_heads"}},
		{"kv heads do not divide heads", map[string]any{"num_key_value_heads": 3}, []string{"not a multiple", "num_key_value_heads"}},
		{"odd head size", map[string]any{"head_dim": 33}, []string{"even", "head_dim"}},
		{"zero layers", map[string]any{"num_hidden_layers": 0}, []string{"num_hidden_layers"}},
		{"negative intermediate_size", map[string]any{"intermediate_size": -768}, []string{"intermediate_size"}},
		{"zero kv heads", map[string]any{"num_key_value_heads": 0}, []string{"num_key_value_heads"}},
		{"zero vocab", map[string]any{"vocab_size": 0}, []string{"vocab_size"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.CopyDir(t, microDir)
			editJSON(t, filepath.Join(dir, "config.json"), func(m map[string]any) {
				for k, v := range tc.edit {
					m[k] = v
				}
			})
			p, err := NewPlan(dir, Options{OutType: "f16"})
			if err == nil {
				p.Close()
				t.Fatalf("config %v accepted", tc.edit)
			}
			for _, w := range append(tc.want, "config.json") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
