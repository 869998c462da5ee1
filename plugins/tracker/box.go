package tracker

import "unsafe"

// Setting a string as Benthos metadata (MetaSetMut takes an any) boxes it:
// one 16-byte allocation per value, six per tracker line. A slice of
// boxedString boxes a whole batch's values with one allocation instead,
// each any pointing at the string beside it, never written again.
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

// boxedString is a string and an any holding it, allocated together.
type boxedString struct {
	s string
	a any
}

// set stores s and makes a hold it without allocating. b must not be
// copied or written again afterwards: a points at b.s.
func (b *boxedString) set(s string) any {
	b.s = s
	e := (*eface)(unsafe.Pointer(&b.a))
	e.typ = stringType
	e.data = unsafe.Pointer(&b.s)
	return b.a
}
