package tracker

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strconv"
)

// chunk is the largest power of ten below 2^64; a 128-bit number is written
// as at most three base-10^19 digits.
const (
	chunk       = 10_000_000_000_000_000_000
	chunkDigits = 19
)

// AppendIPDecimal appends the address as an unsigned decimal integer: an IPv4
// address as its 32-bit value (127.0.0.1 is 2130706433), an IPv6 address as
// its 128-bit value (::1 is 1). It does not allocate beyond growing dst.
//
// An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is written as the IPv4 address
// it maps, because it is the same client and consumers compare these numbers
// with IPv4 ranges. Any zone is ignored. The zero Addr appends nothing.
func AppendIPDecimal(dst []byte, a netip.Addr) []byte {
	a = a.Unmap()
	switch {
	case a.Is4():
		v4 := a.As4()
		return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v4[:])), 10)
	case a.Is6():
		v6 := a.As16()
		return appendUint128(dst, binary.BigEndian.Uint64(v6[:8]), binary.BigEndian.Uint64(v6[8:]))
	default:
		return dst
	}
}

// appendUint128 appends hi<<64|lo in decimal.
func appendUint128(dst []byte, hi, lo uint64) []byte {
	if hi == 0 {
		return strconv.AppendUint(dst, lo, 10)
	}
	// Peel base-10^19 digits off the low end until the rest fits 64 bits;
	// 2^128 / 10^38 < 4, so two remainders are always enough.
	var rems [2]uint64
	n := 0
	for hi != 0 {
		var r uint64
		qhi := hi / chunk
		lo, r = bits.Div64(hi%chunk, lo, chunk)
		hi = qhi
		rems[n] = r
		n++
	}
	dst = strconv.AppendUint(dst, lo, 10)
	for i := n - 1; i >= 0; i-- {
		dst = appendPadded(dst, rems[i])
	}
	return dst
}

// appendPadded appends v as exactly chunkDigits digits, zero-padded.
func appendPadded(dst []byte, v uint64) []byte {
	var buf [chunkDigits]byte
	for i := chunkDigits - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:]...)
}
