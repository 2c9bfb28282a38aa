package convert

import "context"

// Convert plans and executes a conversion of the checkpoint in dir. out is
// resolved with Plan.OutputPath ("" = default name beside dir). On error no
// output file is left behind.
func Convert(ctx context.Context, dir, out string, opts Options, exec ExecOptions) (*Summary, error) {
	p, err := NewPlan(dir, opts)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	path, err := p.OutputPath(out)
	if err != nil {
		return nil, err
	}
	return Execute(ctx, p, path, exec)
}
