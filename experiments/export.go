package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"obd/export"
)

// exportNPZ writes the dense model of a definition's first seed with its
// LM Hessian diagonal and saliencies as .npz (see docs/EXPORT.md).
func exportNPZ(ctx context.Context, o options, stderr io.Writer) error {
	if !strings.HasSuffix(o.out, ".npz") {
		return errors.New("-export needs -out FILE.npz")
	}
	out := o.out
	o.out = "" // the cache stays in the default results directory
	dn, _, err := firstDense(ctx, o, o.export)
	if err != nil {
		return err
	}
	h, s, idx, err := dn.Saliencies()
	if err != nil {
		return err
	}
	if err := export.WriteNPZ(out, dn.Net, dn.Theta, nil, h, s, idx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %s seed %d (test error %.2f%%), Hessian over %d images → %s\n",
		dn.Def.Name, dn.Net.Name, dn.Seed, 100*dn.Test.ErrorRate(), len(idx), out)
	return nil
}
