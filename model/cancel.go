package model

import "context"

// SetCancel makes c's evaluations stop early, returning ctx.Err(), once ctx
// is done (checked between layers and between row tiles of large matrix
// products, so a cancelled evaluation returns within about a second). A
// cancelled evaluation leaves the KV cache of the interrupted batch
// undefined; Reset or re-evaluate from an earlier position.
func (c *Context) SetCancel(ctx context.Context) { c.cancel = ctx }

// cancelled returns the cancel context's error, or nil.
func (c *Context) cancelled() error {
	if c.cancel == nil {
		return nil
	}
	return c.cancel.Err()
}
