package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"obd/curvature"
	"obd/export"
)

// exportNPZ writes the dense model of a definition's first seed with its
// LM Hessian diagonal, saliencies and metadata to OUT/export/NAME.npz
// (NAME-quick.npz under -quick; see docs/EXPORT.md), and prints the path. The dense net is
// trained, or found in the cache, under OUT/.cache, as in every mode.
func exportNPZ(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dn, env, err := firstDense(ctx, o, o.export)
	if err != nil {
		return err
	}
	h, s, idx, err := dn.Saliencies()
	if err != nil {
		return err
	}
	name := dn.Def.Name
	if o.quick {
		name += "-quick"
	}
	path := filepath.Join(env.Out, "export", name+".npz")
	meta := export.Meta{Network: dn.Net.Name, Definition: dn.Def.Name, DefinitionHash: dn.Def.Hash(), Seed: dn.Seed,
		DigitSize: dn.Def.Data.DigitSize, Estimator: string(curvature.LM)} // study.Dense.Saliencies' estimator
	if err := export.WriteNPZ(path, dn.Net, dn.Theta, nil, h, s, idx, meta); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %s seed %d (test error %.2f%%), Hessian over %d images\n",
		dn.Def.Name, dn.Net.Name, dn.Seed, 100*dn.Test.ErrorRate(), len(idx))
	fmt.Fprintln(stdout, path)
	return nil
}
