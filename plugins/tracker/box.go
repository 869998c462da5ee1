package tracker

import "unsafe"

// Setting a string as Benthos metadata (MetaSetMut takes an any) boxes it:
// one 16-byte allocation per value, six per tracker line. stringBoxes boxes
// a whole batch's values with one allocation instead, by making each any
// point at its element of a slice of strings that is never written again.
// An any holding a string is, and has been in every Go release, a type word
// and a pointer to the string header: exactly what the compiler builds when
// it boxes a string itself.

// eface is the layout of an empty interface value.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// stringType is the type word of an any holding a string.
var stringType = func() unsafe.Pointer {
	var a any = ""
	return (*eface)(unsafe.Pointer(&a)).typ
}()

// boxStrings returns vals boxed as any values in one allocation. Element i
// points at vals[i]: the caller must never modify vals afterwards.
func boxStrings(vals []string) []any {
	out := make([]any, len(vals))
	for i := range vals {
		e := (*eface)(unsafe.Pointer(&out[i]))
		e.typ = stringType
		e.data = unsafe.Pointer(&vals[i])
	}
	return out
}
