package main

import (
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ownImports returns the kafkastore packages a Go file imports.
func ownImports(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if strings.HasPrefix(p, "github.com/kafkastore/kafkastore/plugins/") {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// TestDocumentsEveryBundledPackage checks that gendocs imports every
// kafkastore package of the bundle manifest, so a new component cannot
// ship without its generated docs.
func TestDocumentsEveryBundledPackage(t *testing.T) {
	bundle := ownImports(t, "../../plugins/all/all.go")
	documented := ownImports(t, "main.go")
	if len(bundle) == 0 {
		t.Fatal("no kafkastore package found in plugins/all/all.go")
	}
	if !slices.Equal(bundle, documented) {
		t.Errorf("gendocs imports %v, the bundle (plugins/all) has %v", documented, bundle)
	}
}
