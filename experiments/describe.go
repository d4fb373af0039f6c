package main

import (
	"fmt"
	"io"
	"strings"

	"obd/model"
	"obd/report"
)

// describe prints one row per network, then each network's layers.
func describe(w io.Writer) error {
	var rows [][]string
	var nets []*model.Net
	for _, name := range model.Names() {
		net, _ := model.ByName(name)
		nets = append(nets, net)
		rows = append(rows, []string{net.Name, fmt.Sprint(net.NumParams()), fmt.Sprint(net.Connections()),
			fmt.Sprint(net.Units()), net.Loss.Name(), net.Inputs.String()})
	}
	if err := report.MarkdownTable(w, []string{"network", "free parameters", "connections", "units", "loss", "inputs"}, rows); err != nil {
		return err
	}
	for _, net := range nets {
		fmt.Fprintf(w, "\n%s (input %v)\n", net.Name, net.Input)
		rows = rows[:0]
		for i, l := range net.Layers {
			var tensors []string
			for _, t := range l.Tensors() {
				tensors = append(tensors, fmt.Sprintf("%s %d", t.Name, t.Len))
			}
			rows = append(rows, []string{l.Name(), l.Describe(), l.OutShape().String(),
				fmt.Sprint(net.Offset(i+1) - net.Offset(i)), strings.Join(tensors, ", "), fmt.Sprint(l.Connections())})
		}
		if err := report.MarkdownTable(w, []string{"layer", "kind", "output", "parameters", "tensors", "connections"}, rows); err != nil {
			return err
		}
	}
	return nil
}
